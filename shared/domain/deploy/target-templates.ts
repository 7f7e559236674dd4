import type { DeployTarget } from '../config/deploy-targets-schema';
import {
  afterPinVariables,
  stringsIn,
  templateVariablesIn,
  type DeployTemplateVariable,
} from './render-template';

/** Every templated string of a target with its path under the target (`['inputs', 'image']`). */
function templatesOf(target: DeployTarget): { path: PropertyKey[]; text: string }[] {
  switch (target.type) {
    case 'github-workflow':
      return stringsIn(target.inputs, ['inputs']);
    case 'github-dispatch':
      return [
        ...stringsIn(target.eventType, ['eventType']),
        ...stringsIn(target.clientPayload, ['clientPayload']),
      ];
    case 'azure-pipelines':
      return [
        ...stringsIn(target.templateParameters, ['templateParameters']),
        ...stringsIn(target.variables, ['variables']),
      ];
    case 'argocd':
    case 'container-app':
    case 'webhook':
      return [];
  }
}

/** The after-pin variables (`{{commit}}`, …) a target's templates use; they need `deploy.after: pin`. */
export function afterPinVariablesOf(target: DeployTarget): DeployTemplateVariable[] {
  const used = new Set(templatesOf(target).flatMap(({ text }) => templateVariablesIn(text)));
  return afterPinVariables.filter((name) => used.has(name));
}
