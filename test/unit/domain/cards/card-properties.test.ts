import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateTeamsMessage } from '../../../../shared/adapters/teams/validate-card';
import { buildTeamsMessage, type CardPayload } from '../../../../shared/domain/cards/build-teams-message';
import { messageBytes, teamsMessageLimitBytes } from '../../../../shared/domain/cards/fit-to-size';
import type { ImageEvent } from '../../../../shared/domain/events/image-event';

/** Strings that hurt: markdown and HTML characters, newlines, emoji, sometimes very long. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom('*', '_', '[', ']', '(', ')', '<', '>', '\\', '`', '\n', '-', '#', 'a', ' ', '🙂'),
    maxLength: 60,
  }),
  fc.string({ minLength: 1_000, maxLength: 6_000, unit: 'grapheme-ascii' }),
);
const nonEmpty = text.filter((value) => value.length > 0);
const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

const event: fc.Arbitrary<ImageEvent> = fc.record(
  {
    id: nonEmpty,
    source: fc.constantFrom('acr-webhook' as const, 'event-grid' as const),
    action: fc.constantFrom(
      'push' as const,
      'delete' as const,
      'chart_push' as const,
      'chart_delete' as const,
    ),
    registry: fc.oneof(fc.constant('contosoprod.azurecr.io'), fc.constant(''), text),
    repository: nonEmpty,
    tag: nonEmpty,
    digest: hex.map((h) => `sha256:${h}`),
    mediaType: nonEmpty,
    occurredAt: fc
      .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    dedupeKey: hex.map((h) => h.slice(0, 32)),
  },
  { requiredKeys: ['id', 'source', 'action', 'registry', 'repository', 'digest', 'occurredAt', 'dedupeKey'] },
);
const url = fc.oneof(fc.webUrl(), text);
const many = <T>(arbitrary: fc.Arbitrary<T>) => fc.array(arbitrary, { maxLength: 80 });

const payload: fc.Arbitrary<CardPayload> = fc.oneof(
  fc.record({ kind: fc.constantFrom('pushed' as const, 'deleted' as const), event }),
  fc.record(
    {
      kind: fc.constant('pinned' as const),
      event,
      repo: text,
      result: fc.constantFrom('committed' as const, 'pull-request' as const, 'no-change' as const),
      files: many(fc.record({ file: text, line: fc.nat(), before: text, after: text })),
      skipped: many(
        fc.record(
          { file: text, line: fc.nat(), reason: text, kind: fc.oneof(text, fc.constant('other-tag')) },
          { requiredKeys: ['file', 'reason'] },
        ),
      ),
      skipSummary: text,
      commit: text,
      commitUrl: url,
      pullRequestUrl: url,
    },
    { requiredKeys: ['kind', 'event', 'repo', 'result', 'files', 'skipped'] },
  ),
  fc.record(
    { kind: fc.constant('deployed' as const), event, target: text, targetType: text, runUrl: url },
    { requiredKeys: ['kind', 'event', 'target', 'targetType'] },
  ),
  fc.record({
    kind: fc.constant('retention' as const),
    dryRun: fc.boolean(),
    registries: many(
      fc.record({
        registry: text,
        kept: fc.nat(),
        deleted: fc.nat(),
        failed: fc.nat(),
        repositories: many(fc.record({ repository: text, deleted: fc.nat() })),
      }),
    ),
  }),
  fc.record(
    {
      kind: fc.constant('failed' as const),
      action: fc.constantFrom('pin' as const, 'deploy' as const, 'notify' as const, 'retention' as const),
      error: text,
      attempts: fc.nat(),
      poisoned: fc.boolean(),
      event,
      target: text,
    },
    { requiredKeys: ['kind', 'action', 'error', 'attempts', 'poisoned'] },
  ),
  fc
    .record({
      kind: fc.constant('pushed-burst' as const),
      events: fc.array(event, { minLength: 1, maxLength: 60 }),
    })
    .map(({ kind, events }) => ({
      kind,
      registry: events[0]!.registry,
      repository: events[0]!.repository,
      total: events.length * 2,
      events,
    })),
);

describe('buildTeamsMessage on arbitrary payloads', () => {
  it('always gives a valid 1.4 message under 28 KB, in both modes', () => {
    fc.assert(
      fc.property(payload, fc.constantFrom('envelope' as const, 'card' as const), (input, mode) => {
        const message = buildTeamsMessage(input, { mode });
        expect(messageBytes(message)).toBeLessThan(teamsMessageLimitBytes);
        expect(validateTeamsMessage(message, mode)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
