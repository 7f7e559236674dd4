import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { previewDeployRequest } from '../../../../shared/domain/deploy/preview-deploy-request';
import { sampleEvent } from '../../../helpers/sample-event';

const event = sampleEvent();
const now = new Date('2026-11-25T10:00:05.250Z');
const preview = (yaml: string, settings: Record<string, string> = {}) =>
  previewDeployRequest(
    parseConfig(`deployTargets:\n  t: ${yaml}\n`).deployTargets['t']!,
    { target: 't', event },
    { now, setting: (name) => settings[name] },
  );

describe('previewDeployRequest', () => {
  it.each([
    [
      'github-workflow',
      '{ type: github-workflow, repo: o/r, workflow: d.yml, tokenFrom: GH }',
      'Bearer REDACTED',
    ],
    [
      'argocd',
      '{ type: argocd, server: https://argo.example.com, application: a, tokenFrom: ARGO }',
      'Bearer REDACTED',
    ],
    [
      'azure-pipelines PAT',
      '{ type: azure-pipelines, organization: o, project: p, pipelineId: 1, tokenFrom: PAT }',
      'Basic REDACTED',
    ],
    [
      'azure-pipelines Entra',
      '{ type: azure-pipelines, organization: o, project: p, pipelineId: 1, auth: entra }',
      'Bearer REDACTED',
    ],
  ])('shows the %s request with the token redacted', (_name, yaml, authorization) => {
    const { request } = preview(yaml, { GH: 'ghp_secret', ARGO: 'argo-secret', PAT: 'pat-secret' });
    expect(request.headers.authorization).toBe(authorization);
    expect(JSON.stringify(request)).not.toMatch(/secret/);
  });

  it('shows the webhook body exactly, the signature redacted, and only the origin of a urlFrom URL', () => {
    const { request } = preview('{ type: webhook, urlFrom: HOOK, secretFrom: HOOK_SECRET }', {
      HOOK: 'https://hooks.example.com/T000/very-secret-path?sig=abc',
      HOOK_SECRET: 'whsec_c2VjcmV0',
    });
    expect(request).toEqual({
      method: 'POST',
      url: 'https://hooks.example.com/REDACTED',
      headers: {
        'content-type': 'application/json',
        'webhook-id': event.dedupeKey,
        'webhook-timestamp': '1795600805',
        'webhook-signature': 'v1,REDACTED',
      },
      body: JSON.stringify({
        type: 'image.pushed',
        timestamp: '2026-11-25T10:00:05.250Z',
        data: { target: 't', image: `contoso.azurecr.io/payments/api@${event.digest}`, event },
      }),
    });
  });

  it('says when the urlFrom setting is not set', () => {
    expect(preview('{ type: webhook, urlFrom: HOOK }').request.url).toBe('(app setting HOOK is not set)');
  });

  it('shows the container app GET and describes the PATCH built from its answer', () => {
    const shown = preview(
      '{ type: container-app, subscriptionId: 00000000-0000-0000-0000-000000000001, resourceGroup: rg, app: payments-api, container: api }',
    );
    expect(shown.request).toMatchObject({ method: 'GET', headers: { authorization: 'Bearer REDACTED' } });
    expect(shown.then).toMatchObject({
      method: 'PATCH',
      body: null,
      note: expect.stringContaining(`"api" set to contoso.azurecr.io/payments/api@${event.digest}`),
    });
  });
});
