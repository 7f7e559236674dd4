import { describe, expect, it } from 'vitest';
import {
  renderJsonStrings,
  renderTemplate,
  templateProblems,
  templateValues,
} from '../../../../shared/domain/deploy/render-template';
import { ConfigError } from '../../../../shared/domain/errors';
import { sampleEvent } from '../../../helpers/sample-event';

const digest = 'sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';
const values = templateValues(sampleEvent(), {
  commit: '3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a',
  pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
});

describe('renderTemplate', () => {
  it.each([
    ['{{repository}}:{{tag}}', 'payments/api:1.4.2'],
    ['{{ registry }}', 'contoso.azurecr.io'],
    ['{{image}}', `contoso.azurecr.io/payments/api@${digest}`],
    ['{{digest}}', digest],
    [
      'deploy {{commit}} ({{pullRequestUrl}})',
      'deploy 3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a (https://github.com/contoso/fleet/pull/7)',
    ],
    ['no variables', 'no variables'],
    ['{{tag}}{{tag}}', '1.4.21.4.2'],
    ['{ not a variable }', '{ not a variable }'],
  ])('renders %j', (template, expected) => {
    expect(renderTemplate(template, values)).toBe(expected);
  });

  it('renders what is unknown as empty: no tag, no pin', () => {
    const bare = templateValues(sampleEvent({ tag: undefined, registry: '' }));
    expect(renderTemplate('[{{tag}}|{{commit}}|{{commitUrl}}|{{image}}]', bare)).toBe(
      `[|||payments/api@${digest}]`,
    );
  });

  it('refuses an unknown variable with the ones that exist', () => {
    expect(() => renderTemplate('{{branch}}', values)).toThrow(ConfigError);
    expect(() => renderTemplate('{{branch}}', values)).toThrow(
      /unknown template variable \{\{branch\}\}; known: \{\{repository\}\}/,
    );
  });
});

describe('templateProblems', () => {
  it.each<[string, string[]]>([
    ['{{repository}} {{ tag }}', []],
    ['{{imag}} and {{imag}}', ['imag']],
    ['{{a}} {{image}} {{b}}', ['a', 'b']],
    ['{{}}', ['']],
  ])('%j', (template, unknown) => {
    expect(templateProblems(template)).toEqual(
      unknown.map((name) => expect.stringContaining(`unknown template variable {{${name}}}`)),
    );
  });
});

describe('renderJsonStrings', () => {
  it('renders strings at any depth and keeps keys and other values', () => {
    expect(
      renderJsonStrings({ '{{tag}}': ['{{tag}}', 3, true, null, { nested: 'v{{tag}}' }] }, values),
    ).toEqual({ '{{tag}}': ['1.4.2', 3, true, null, { nested: 'v1.4.2' }] });
  });
});
