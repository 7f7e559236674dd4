import { describe, expect, it } from 'vitest';
import { dedupeKeyOf, queueOfPoison, replayCommand } from '../../../../shared/domain/messages/replay-command';

describe('replayCommand', () => {
  it('names the queue and the dedupe key: every parked message of that event', () => {
    expect(replayCommand('pin-requests', '0c36936574fa27a43e677746139dde48')).toBe(
      'acr-autopilot poison requeue pin-requests --id 0c36936574fa27a43e677746139dde48',
    );
  });

  it('takes the poison queue as well as the queue', () => {
    expect(replayCommand('deploy-requests-poison', 'abc')).toBe(
      'acr-autopilot poison requeue deploy-requests --id abc',
    );
  });

  it.each([[undefined], [''], ['two words'], ['$(rm -rf ~)'], ['x'.repeat(129)]])(
    'without a key that is safe to paste (%j), points at the list that shows the ids',
    (key) => {
      expect(replayCommand('notifications', key)).toBe(
        'acr-autopilot poison list notifications, then acr-autopilot poison requeue notifications --id <id>',
      );
    },
  );
});

describe('queueOfPoison', () => {
  it('strips the -poison suffix and leaves other names alone', () => {
    expect(queueOfPoison('pin-requests-poison')).toBe('pin-requests');
    expect(queueOfPoison('pin-requests')).toBe('pin-requests');
  });
});

describe('dedupeKeyOf', () => {
  it('reads a plain dedupeKey of an object, and nothing else', () => {
    expect(dedupeKeyOf({ dedupeKey: 'k1', other: 1 })).toBe('k1');
    expect(dedupeKeyOf({ dedupeKey: 42 })).toBeUndefined();
    expect(dedupeKeyOf({ dedupeKey: 'has space' })).toBeUndefined();
    expect(dedupeKeyOf('k1')).toBeUndefined();
    expect(dedupeKeyOf(null)).toBeUndefined();
  });
});
