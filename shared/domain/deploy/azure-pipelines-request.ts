import type { DeployTargetOf } from '../config/deploy-targets-schema';
import { jsonHeaders, joinUrl, type DeployHttpRequest, type DeployInput } from './deploy-http-request';
import { renderTemplate, templateValues, type DeployTemplateValues } from './render-template';

/**
 * Azure DevOps Runs – Run Pipeline: `POST {apiUrl}/{organization}/{project}/_apis/pipelines/{id}/runs
 * ?api-version=7.1` with `RunPipelineParameters` (`resources.repositories.self.refName`,
 * `templateParameters`, `variables: { name: { value } }`); answers 200 with the run (`_links.web.href`).
 * @see https://learn.microsoft.com/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1
 */
export function azurePipelinesRequest(
  target: DeployTargetOf<'azure-pipelines'>,
  input: DeployInput,
): DeployHttpRequest {
  const values = templateValues(input.event, input.pin);
  const body = {
    ...(target.branch ? { resources: { repositories: { self: { refName: refName(target.branch) } } } } : {}),
    ...(target.templateParameters
      ? { templateParameters: renderRecord(target.templateParameters, values) }
      : {}),
    ...(target.variables
      ? {
          variables: Object.fromEntries(
            Object.entries(renderRecord(target.variables, values)).map(([name, value]) => [name, { value }]),
          ),
        }
      : {}),
  };
  return {
    method: 'POST',
    url: `${joinUrl(target.apiUrl, target.organization, target.project, '_apis', 'pipelines', target.pipelineId, 'runs')}?api-version=7.1`,
    headers: { ...jsonHeaders },
    body: JSON.stringify(body),
  };
}

/** `main` → `refs/heads/main`; a full `refs/…` name is kept. */
function refName(branch: string): string {
  return branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

function renderRecord(record: Record<string, string>, values: DeployTemplateValues): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).map(([name, template]) => [name, renderTemplate(template, values)]),
  );
}
