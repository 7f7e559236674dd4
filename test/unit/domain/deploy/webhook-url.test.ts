import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { invalidSettings } from '../../../../shared/config/check-settings';

const config = parseConfig(`
outbound: { allowedHosts: ['*.hooks.contoso.com'] }
deployTargets:
  release: { type: webhook, urlFrom: RELEASE_HOOK }
`);

describe('webhook urlFrom check (config check)', () => {
  it.each([
    ['https://a.hooks.contoso.com/x?sig=1', []],
    [
      'https://hooks.example.com/T0/secret',
      [
        {
          path: 'deployTargets.release.urlFrom',
          message:
            'the host of the URL in app setting RELEASE_HOOK (hooks.example.com) is not on the outbound allow-list; add hooks.example.com to outbound.allowedHosts',
        },
      ],
    ],
    [
      'http://a.hooks.contoso.com/x',
      [
        {
          path: 'deployTargets.release.urlFrom',
          message: 'the URL in app setting RELEASE_HOOK is not https',
        },
      ],
    ],
    [
      'not a url',
      [{ path: 'deployTargets.release.urlFrom', message: 'app setting RELEASE_HOOK does not hold a URL' }],
    ],
  ])('%s', (url, expected) => {
    const issues = invalidSettings(config, { RELEASE_HOOK: url });
    expect(issues).toEqual(expected);
    expect(JSON.stringify(issues)).not.toMatch(/secret|sig=1/);
  });
});
