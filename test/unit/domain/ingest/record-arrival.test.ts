import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../shared/config/load-config';
import { ingestEvent } from '../../../../shared/domain/ingest/ingest-event';
import { deliveryRegion, plansRegionGate } from '../../../../shared/domain/ingest/record-arrival';
import { planActions } from '../../../../shared/domain/rules/plan-actions';
import { memoryArrivals } from '../../../helpers/deploy-fakes';
import { captureLogger, memoryDedupe, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const config = parseConfig(`
gitops: { fleet: { url: https://github.com/contoso/fleet.git } }
deployTargets:
  eu: { type: webhook, url: 'https://hooks.contoso.com/x', regions: [westeurope, northeurope] }
  plain: { type: webhook, url: 'https://hooks.contoso.com/y' }
rules:
  - match: { repository: 'payments/*' }
    deploy: [eu]
  - match: { repository: 'web/*' }
    deploy: [plain]
  - match: { repository: 'batch/*' }
    pin: { repo: fleet }
    deploy: { targets: [eu], after: pin }
`);

describe('deliveryRegion', () => {
  it.each([
    ['westeurope', null, 'westeurope'],
    [null, 'North Europe', 'North Europe'],
    ['westeurope', 'eastus', 'westeurope'],
    [null, null, undefined],
  ])('reads query %j / header %j', (query, header, expected) => {
    expect(deliveryRegion(query, header)).toBe(expected);
  });

  it('refuses a value that is not a region name, naming where it came from', () => {
    expect(deliveryRegion('west-europe;drop', null)).toEqual({
      path: 'query.region',
      message: 'expected an Azure region name like westeurope (letters, digits and spaces)',
    });
    expect(deliveryRegion(null, '')).toMatchObject({ path: 'headers.x-acr-region' });
  });
});

describe('plansRegionGate', () => {
  it.each([
    ['payments/api', true],
    ['web/site', false],
    ['batch/job', true],
  ])('%s → %s', (repository, expected) => {
    const plan = planActions(sampleEvent({ repository }), config);
    expect(plansRegionGate(plan.messages, config)).toBe(expected);
  });
});

describe('ingestEvent: region arrivals', () => {
  const setup = () => {
    const arrivals = memoryArrivals();
    let now = new Date('2026-11-25T10:00:00Z');
    const deps = {
      config,
      dedupe: memoryDedupe(),
      queue: memoryQueue(),
      clock: () => now,
      log: captureLogger(),
      arrivals,
    };
    return { deps, arrivals, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
  };

  it('records every region of one push, the duplicates too, and queues the push once', async () => {
    const t = setup();
    const event = sampleEvent();
    expect(await ingestEvent(t.deps, event, { region: 'westeurope' })).toMatchObject({ duplicate: false });
    t.advance(30_000);
    expect(await ingestEvent(t.deps, event, { region: 'North Europe' })).toMatchObject({ duplicate: true });
    expect(await ingestEvent(t.deps, event, { region: 'westeurope' })).toMatchObject({ duplicate: true });
    expect(t.deps.queue.sent).toHaveLength(1);
    expect(Object.fromEntries(t.arrivals.rows.get(event.dedupeKey) ?? [])).toEqual({
      'region-westeurope': new Date('2026-11-25T10:00:00Z'),
      'region-northeurope': new Date('2026-11-25T10:00:30Z'),
    });
  });

  it('records nothing when no gated target is planned, or the delivery names no region', async () => {
    const t = setup();
    await ingestEvent(t.deps, sampleEvent({ repository: 'web/site' }), { region: 'westeurope' });
    await ingestEvent(t.deps, sampleEvent({ dedupeKey: 'f'.repeat(32) }));
    expect(t.arrivals.rows.size).toBe(0);
  });

  it('still queues the push when the arrival cannot be recorded', async () => {
    const t = setup();
    const deps = {
      ...t.deps,
      arrivals: {
        record: async () => {
          throw new Error('table is down');
        },
        read: t.arrivals.read,
      },
    };
    expect(await ingestEvent(deps, sampleEvent(), { region: 'westeurope' })).toMatchObject({ actions: 1 });
    expect(t.deps.log.all()).toMatch(/could not record the arrival .* in westeurope .*regionTimeout/);
  });
});
