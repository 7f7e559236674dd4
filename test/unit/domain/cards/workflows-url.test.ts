import { describe, expect, it } from 'vitest';
import { checkWorkflowsUrl } from '../../../../shared/domain/cards/workflows-url';

const sig = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_';
const logicAppsUrl =
  'https://prod-12.westeurope.logic.azure.com:443/workflows/5f1c0e2a9b7d/triggers/manual/paths/invoke' +
  `?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`;

describe('checkWorkflowsUrl', () => {
  it.each([
    logicAppsUrl,
    `https://default0a1b2c3d4e5f.00.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=${sig}`,
    'https://tenant.api.powerplatform.com/x',
    'https://api.powerautomate.com/x',
    'https://flow.microsoft.com/x',
    'https://PROD-01.EASTUS.LOGIC.AZURE.COM/workflows/x',
  ])('accepts %s', (url) => {
    expect(checkWorkflowsUrl(url)).toMatchObject({ ok: true });
  });

  it.each([
    ['http://prod-12.westeurope.logic.azure.com/workflows/x', 'must hold an https URL, not http'],
    ['https://logic.azure.com/x', 'not a Teams Workflows host'],
    ['https://logic.azure.com.evil.example/x', 'not a Teams Workflows host'],
    ['https://evil-logic.azure.com/x', 'not a Teams Workflows host'],
    ['https://127.0.0.1/x', 'not a Teams Workflows host'],
    ['https://prod-12.westeurope.logic.azure.com:8443/x', 'port 8443'],
    ['https://user:pw@prod-12.westeurope.logic.azure.com/x', 'user name or password'],
    ['not a url', 'does not hold a valid URL'],
    ['', 'does not hold a valid URL'],
  ])('refuses %s', (url, problem) => {
    const check = checkWorkflowsUrl(url, [], { settingName: 'TEAMS_PLATFORM_WEBHOOK' });
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.problem).toContain(problem);
      expect(check.problem).toContain('TEAMS_PLATFORM_WEBHOOK');
    }
  });

  it('refuses a legacy connector URL and says how to create a Workflows URL', () => {
    const check = checkWorkflowsUrl(
      'https://contoso.webhook.office.com/webhookb2/1234@5678/IncomingWebhook/abcd/efgh',
      [],
      { settingName: 'TEAMS_PLATFORM_WEBHOOK' },
    );
    expect(check).toEqual({
      ok: false,
      problem:
        'the app setting TEAMS_PLATFORM_WEBHOOK holds a retired Office 365 connector (Incoming Webhook) URL on ' +
        'contoso.webhook.office.com, which Teams no longer delivers. Create a Workflows URL instead: in the ' +
        'Teams channel choose ⋯ → Workflows → "Post to a channel when a webhook request is received", finish ' +
        'the wizard, copy the URL it shows and put it in the app setting TEAMS_PLATFORM_WEBHOOK',
    });
  });

  it('accepts configured extra hosts, exact or with a wildcard', () => {
    expect(
      checkWorkflowsUrl('https://teams-relay.contoso.com/hook', ['teams-relay.contoso.com']),
    ).toMatchObject({ ok: true });
    expect(checkWorkflowsUrl('https://a.relay.contoso.com/hook', ['*.relay.contoso.com'])).toMatchObject({
      ok: true,
    });
    expect(checkWorkflowsUrl('https://relay.contoso.com/hook', ['*.relay.contoso.com'])).toMatchObject({
      ok: false,
    });
  });

  it('never puts the signature into a problem', () => {
    const check = checkWorkflowsUrl(logicAppsUrl.replace('https:', 'http:'));
    expect(JSON.stringify(check)).not.toContain(sig);
  });
});
