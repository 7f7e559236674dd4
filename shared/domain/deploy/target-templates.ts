import type { DeployTarget } from '../config/deploy-targets-schema';
import { afterPinVariables, templateVariablesIn, type DeployTemplateVariable } from './render-template';

/** Every templated string of a target with its path under the target (`['inputs', 'image']`). */
export function templatesOf(target: DeployTarget): { path: PropertyKey[]; text: string }[] {
  const found: { path: PropertyKey[]; text: string }[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string') found.push({ path, text: value });
    else if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  switch (target.type) {
    case 'github-workflow':
      visit(target.inputs, ['inputs']);
      break;
    case 'github-dispatch':
      visit(target.eventType, ['eventType']);
      visit(target.clientPayload, ['clientPayload']);
      break;
    case 'azure-pipelines':
      visit(target.templateParameters, ['templateParameters']);
      visit(target.variables, ['variables']);
      break;
    case 'argocd':
    case 'container-app':
    case 'webhook':
      break;
  }
  return found;
}

/** The after-pin variables (`{{commit}}`, …) a target's templates use; they need `deploy.after: pin`. */
export function afterPinVariablesOf(target: DeployTarget): DeployTemplateVariable[] {
  const used = new Set(templatesOf(target).flatMap(({ text }) => templateVariablesIn(text)));
  return afterPinVariables.filter((name) => used.has(name));
}
