import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  burstStateSchema,
  flushBurst,
  maxBurstStateBytes,
  openOrAppendBurst,
  parseBurstState,
  settleFlushedBurst,
  type BurstState,
  type FoldedPushes,
} from '../../../../shared/domain/cards/burst-folding';
import type { ImageEvent } from '../../../../shared/domain/events/image-event';
import type { NotificationPayload } from '../../../../shared/domain/messages/action-messages';

const windowMs = 30_000;
const start = Date.parse('2025-11-24T09:41:00.000Z');

function push(tag: string, at: number, repository = 'web/storefront'): ImageEvent {
  const digest = `sha256:${createHash('sha256').update(tag).digest('hex')}`;
  return {
    id: `evt-${repository}-${tag}`,
    source: 'event-grid',
    action: 'push',
    registry: 'contosoprod.azurecr.io',
    repository,
    tag,
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    occurredAt: new Date(at).toISOString(),
    dedupeKey: createHash('sha256').update(`${repository}:${tag}`).digest('hex').slice(0, 32),
  };
}

/**
 * What the notifications function does, with a fake clock: one stored state per repository (JSON, as
 * it would sit in a Table entity) and a list of scheduled flush messages the test delivers when due.
 */
class FakeNotifier {
  now = start;
  readonly rows = new Map<string, string>();
  readonly flushes: { repository: string; burstId: string; dueAt: number }[] = [];
  readonly sent: (NotificationPayload | FoldedPushes)[] = [];

  receive(event: ImageEvent): string {
    const step = openOrAppendBurst(
      parseBurstState(this.rows.get(event.repository)),
      event,
      new Date(this.now),
      windowMs,
    );
    if (step.action !== 'duplicate') this.rows.set(event.repository, JSON.stringify(step.state));
    if (step.action === 'schedule-flush-at') {
      this.flushes.push({
        repository: event.repository,
        burstId: step.burstId,
        dueAt: this.now + step.delaySeconds * 1000,
      });
    }
    return step.action;
  }

  /** Moves the clock and delivers every flush message that became visible. */
  advance(ms: number): void {
    this.now += ms;
    for (const flush of this.flushes.filter((f) => f.dueAt <= this.now)) {
      this.flushes.splice(this.flushes.indexOf(flush), 1);
      const step = flushBurst(
        parseBurstState(this.rows.get(flush.repository)),
        new Date(this.now),
        flush.burstId,
      );
      if (step.action === 'send') {
        this.sent.push(step.payload);
        this.rows.delete(flush.repository);
      } else if (step.action === 'wait') {
        this.flushes.push({ ...flush, dueAt: this.now + step.delaySeconds * 1000 });
      }
    }
  }
}

describe('burst folding', () => {
  it('folds 20 pushes within 30 s into one flush listing 20 tags', () => {
    const notifier = new FakeNotifier();
    const actions: string[] = [];
    for (let i = 0; i < 20; i++) {
      actions.push(notifier.receive(push(`1.0.${i}`, notifier.now)));
      notifier.advance(1_400);
    }
    expect(actions).toEqual(['schedule-flush-at', ...Array<string>(19).fill('appended')]);
    expect(notifier.sent).toEqual([]);
    notifier.advance(windowMs);
    expect(notifier.sent).toHaveLength(1);
    const [card] = notifier.sent;
    expect(card).toMatchObject({ kind: 'pushed-burst', repository: 'web/storefront', total: 20 });
    expect((card as FoldedPushes).events.map((event) => event.tag)).toEqual(
      Array.from({ length: 20 }, (_, i) => `1.0.${i}`),
    );
    expect(notifier.rows.size).toBe(0);
  });

  it('sends pushes in different windows as separate cards', () => {
    const notifier = new FakeNotifier();
    notifier.receive(push('1.0.0', notifier.now));
    notifier.advance(10_000);
    notifier.receive(push('1.0.1', notifier.now));
    notifier.advance(25_000); // first window closed at 30 s
    notifier.receive(push('2.0.0', notifier.now));
    notifier.advance(31_000);
    expect(
      notifier.sent.map((payload) =>
        payload.kind === 'pushed-burst' ? payload.events.map((e) => e.tag) : payload.kind,
      ),
    ).toEqual([['1.0.0', '1.0.1'], 'pushed']);
  });

  it('sends a lone push as a plain pushed card', () => {
    const notifier = new FakeNotifier();
    const event = push('1.0.0', notifier.now);
    notifier.receive(event);
    notifier.advance(windowMs);
    expect(notifier.sent).toEqual([{ kind: 'pushed', event }]);
  });

  it('does not fold other repositories together', () => {
    const notifier = new FakeNotifier();
    notifier.receive(push('1.0.0', notifier.now, 'web/storefront'));
    notifier.receive(push('1.0.0', notifier.now, 'payments/api'));
    notifier.receive(push('1.0.1', notifier.now, 'web/storefront'));
    notifier.advance(windowMs);
    expect(notifier.sent).toHaveLength(2);
    const byRepository = Object.fromEntries(
      notifier.sent.map((payload) => [
        payload.kind === 'pushed-burst'
          ? payload.repository
          : 'event' in payload
            ? payload.event?.repository
            : '',
        payload.kind,
      ]),
    );
    expect(byRepository).toEqual({ 'web/storefront': 'pushed-burst', 'payments/api': 'pushed' });
  });

  it('counts a redelivered push once', () => {
    const notifier = new FakeNotifier();
    const second = push('1.0.1', notifier.now);
    notifier.receive(push('1.0.0', notifier.now));
    expect(notifier.receive(second)).toBe('appended');
    expect(notifier.receive(second)).toBe('duplicate');
    notifier.advance(windowMs);
    expect(notifier.sent[0]).toMatchObject({ kind: 'pushed-burst', total: 2 });
  });

  it('schedules the flush again when the opening push is redelivered', () => {
    const notifier = new FakeNotifier();
    const first = push('1.0.0', notifier.now);
    notifier.receive(first);
    notifier.flushes.length = 0; // the flush message was lost after the state was saved
    notifier.advance(1_000);
    expect(notifier.receive(first)).toBe('schedule-flush-at');
    notifier.advance(windowMs);
    expect(notifier.sent).toEqual([{ kind: 'pushed', event: first }]);
  });

  it.each([61_000, 60 * 60_000])(
    'rearms a burst whose flush is %i ms overdue: the next push flushes one window later',
    (overdue) => {
      const notifier = new FakeNotifier();
      notifier.receive(push('1.0.0', notifier.now));
      notifier.flushes.length = 0; // the flush message went to the poison queue
      notifier.advance(windowMs + overdue);
      expect(notifier.receive(push('1.0.1', notifier.now))).toBe('schedule-flush-at');
      expect(notifier.receive(push('1.0.2', notifier.now))).toBe('appended');
      notifier.advance(windowMs - 1);
      expect(notifier.sent).toEqual([]);
      notifier.advance(1);
      expect(notifier.sent[0]).toMatchObject({ kind: 'pushed-burst', total: 3 });
    },
  );

  it('does not rearm a burst whose flush is due but less than a minute late', () => {
    const notifier = new FakeNotifier();
    notifier.receive(push('1.0.0', notifier.now));
    notifier.flushes.length = 0; // still retrying: not visible yet
    notifier.advance(windowMs + 59_000);
    expect(notifier.receive(push('1.0.1', notifier.now))).toBe('appended');
  });

  it('ignores a flush message of a burst that was already flushed', () => {
    const state = openOrAppendBurst(undefined, push('1.0.0', start), new Date(start), windowMs).state;
    expect(flushBurst(state, new Date(start + windowMs), 'other-burst')).toMatchObject({ action: 'none' });
    expect(flushBurst(undefined, new Date(start + windowMs))).toMatchObject({ action: 'none' });
  });

  it('tells an early flush message to wait until the window closes', () => {
    const state = openOrAppendBurst(undefined, push('1.0.0', start), new Date(start), windowMs).state;
    expect(flushBurst(state, new Date(start + 10_500))).toEqual({
      action: 'wait',
      until: new Date(start + windowMs),
      delaySeconds: 20,
    });
  });

  it('refuses a state of another repository', () => {
    const state = openOrAppendBurst(undefined, push('1.0.0', start), new Date(start), windowMs).state;
    expect(() =>
      openOrAppendBurst(state, push('1.0.0', start, 'payments/api'), new Date(start), windowMs),
    ).toThrow(/burst state of contosoprod.azurecr.io\/web\/storefront/);
  });

  describe('settleFlushedBurst', () => {
    const at = (ms: number) => new Date(start + ms);
    const opened = openOrAppendBurst(undefined, push('1.0.0', start), at(0), windowMs).state;
    const flushed = openOrAppendBurst(opened, push('1.0.1', start), at(1_000), windowMs).state;

    it('deletes the row when nothing arrived while posting', () => {
      expect(settleFlushedBurst(flushed, flushed, at(31_000), windowMs)).toEqual({ action: 'delete' });
    });

    it('opens a new burst for pushes that arrived while posting', () => {
      const late = push('1.0.2', start + 30_500);
      const current = openOrAppendBurst(flushed, late, at(30_500), windowMs).state;
      const step = settleFlushedBurst(current, flushed, at(31_000), windowMs);
      expect(step).toMatchObject({ action: 'schedule-flush-at', delaySeconds: 30 });
      if (step.action !== 'schedule-flush-at') return;
      expect(step.state).toMatchObject({ total: 1, events: [late], openedBy: late.dedupeKey });
      expect(step.burstId).not.toBe(flushed.burstId);
    });

    it('leaves a row that already holds another burst alone', () => {
      const other = openOrAppendBurst(undefined, push('9.9.9', start), at(40_000), windowMs).state;
      expect(settleFlushedBurst(other, flushed, at(41_000), windowMs)).toEqual({ action: 'keep' });
    });
  });

  describe('stored state', () => {
    it('stays under its byte budget however many pushes arrive, and keeps counting', () => {
      let state: BurstState | undefined;
      for (let i = 0; i < 2_000; i++) {
        const event = { ...push(`tag-${i}-${'x'.repeat(100)}`, start), id: `evt-${i}-${'y'.repeat(200)}` };
        state = openOrAppendBurst(state, event, new Date(start + i), windowMs).state;
        expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThanOrEqual(maxBurstStateBytes);
      }
      expect(state?.total).toBe(2_000);
      expect(state?.events.length).toBeGreaterThan(20);
      expect(state?.moreKeys.length).toBeGreaterThan(50);
      expect(maxBurstStateBytes).toBeLessThan(60 * 1024);
    });

    it('round-trips through JSON and the schema', () => {
      const { state } = openOrAppendBurst(undefined, push('1.0.0', start), new Date(start), windowMs);
      expect(burstStateSchema.parse(JSON.parse(JSON.stringify(state)))).toEqual(state);
      expect(parseBurstState(JSON.stringify(state))).toEqual(state);
    });

    it('reads a missing, corrupt or foreign state as no state', () => {
      expect(parseBurstState(undefined)).toBeUndefined();
      expect(parseBurstState('{not json')).toBeUndefined();
      expect(parseBurstState(JSON.stringify({ version: 2 }))).toBeUndefined();
    });
  });
});
