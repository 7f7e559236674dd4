import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GitHostRefusedError, GitHostUnavailableError } from '../../../../shared/adapters/git/git-errors';
import { runQueueConsumer } from '../../../../shared/adapters/queue/queue-consumer';
import { configSchema } from '../../../../shared/domain/config/schema';
import type {
  DeployRequest,
  Notification,
  PinRequest,
} from '../../../../shared/domain/messages/action-messages';
import { pinImage, pinQueue, type PinDeps } from '../../../../shared/domain/pinning/pin-image';
import { pinOutcomeKey } from '../../../../shared/domain/pinning/pin-notifications';
import type {
  GitEdit as PinEdit,
  GitWriteInput as PinWriteInput,
  GitWriteResult as PinWriteResult,
  PullRequestInput,
} from '../../../../shared/domain/ports';
import { defaultRetryPolicy } from '../../../../shared/domain/retry/retry-policy';
import { captureLogger, memoryQueue } from '../../../helpers/fakes';
import { sampleEvent } from '../../../helpers/sample-event';

const DIGEST = 'sha256:d33b0af8c00dd9446075b2bcebe7934fa85fc35f01cfd9595c37e8d45114a549';
const OLD = 'sha256:cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4';
const TOKEN = 'ghp_unitTestTokenThatMustNeverBeLogged01';
const REF = 'contoso.azurecr.io/payments/api';

const deployment = (image: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    '',
  ].join('\n');

const seed = {
  'apps/payments/deployment.yaml': deployment(`${REF}:1.4.2`),
  'apps/payments/.argocd-source-payments.yaml': `helm:\n  parameters:\n    - name: image\n      value: ${REF}:1.4.2@${OLD}\n`,
  'apps/web/deployment.yaml': deployment('contoso.azurecr.io/web/site:2.0.0'),
  'clusters/prod/payments.yaml': deployment(`${REF}:1.4.2`),
  'README.md': `# fleet\nimage: ${REF}:1.4.2\n`,
};

function request(overrides: Partial<PinRequest> = {}): PinRequest {
  return {
    type: 'pin',
    dedupeKey: '0c36936574fa27a43e677746139dde48',
    correlationId: 'evt-1',
    event: sampleEvent({ id: 'evt-1', digest: DIGEST, dedupeKey: '0c36936574fa27a43e677746139dde48' }),
    rule: { index: 0, name: 'payments' },
    notify: [
      { channel: 'platform', kinds: ['pinned', 'failed'] },
      { channel: 'quiet', kinds: ['pushed'] },
      { channel: 'alerts', kinds: ['failed'] },
    ],
    repo: 'fleet',
    paths: ['apps/**'],
    mode: 'pin',
    render: 'tag-and-digest',
    ...overrides,
  };
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

interface Branch {
  commit: string;
  files: Map<string, string>;
  message?: string;
}

/** A git host in memory with the writer's contract: edit re-run per round, no-change, PR branches. */
function memoryGit(files: Record<string, string>) {
  const branches = new Map<string, Branch>([
    ['main', { commit: sha('seed'), files: new Map(Object.entries(files)) }],
  ]);
  const calls: PinWriteInput[] = [];
  const races: Record<string, string>[] = [];
  let failure: Error | undefined;
  let edits = 0;
  return {
    branches,
    calls,
    get edits() {
      return edits;
    },
    /** The next round loses a race: another writer commits `change` to main first. */
    race(change: Record<string, string>) {
      races.push(change);
    },
    fail(error: Error) {
      failure = error;
    },
    async writeBack(input: PinWriteInput, edit: PinEdit): Promise<PinWriteResult> {
      calls.push(structuredClone(input));
      if (failure) throw failure;
      for (let attempts = 1; ; attempts++) {
        const base = branches.get(input.branch) as Branch;
        const result = await edit({
          list: async () => [...base.files.keys()].sort(),
          read: async (path) => {
            const content = base.files.get(path);
            if (content === undefined) throw new Error(`${path} is not a file`);
            return content;
          },
        });
        edits++;
        const lost = races.shift();
        if (lost) {
          const moved = new Map(base.files);
          for (const [file, content] of Object.entries(lost)) moved.set(file, content);
          branches.set(input.branch, { commit: sha(`race-${attempts}`), files: moved });
          continue;
        }
        const next = new Map(base.files);
        for (const file of result?.files ?? []) next.set(file.file, String(file.content));
        if (!result || same(next, base.files)) {
          return { outcome: 'no-change', commit: base.commit, branch: input.branch, attempts };
        }
        const target = input.targetBranch ?? input.branch;
        const existing = branches.get(target);
        if (input.targetBranch && existing && same(existing.files, next)) {
          return { outcome: 'no-change', commit: existing.commit, branch: target, attempts };
        }
        const commit = sha(`${target}-${branches.size}-${result.message}-${attempts}-${calls.length}`);
        branches.set(target, { commit, files: next, message: result.message });
        return { outcome: 'committed', commit, branch: target, attempts };
      }
    },
  };
}

function same(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([file, content]) => b.get(file) === content);
}

function memoryPullRequests() {
  const calls: PullRequestInput[] = [];
  let failure: Error | undefined;
  return {
    calls,
    fail(error: Error | undefined) {
      failure = error;
    },
    async openOrUpdate(input: PullRequestInput) {
      calls.push(input);
      if (failure) throw failure;
      return {
        provider: 'github' as const,
        url: 'https://github.com/contoso/fleet/pull/7',
        number: 7,
        created: calls.length === 1,
      };
    },
  };
}

function setup(
  options: {
    gitops?: Record<string, unknown>;
    settings?: Record<string, string>;
    files?: Record<string, string>;
  } = {},
) {
  const config = configSchema.parse({
    gitops: options.gitops ?? {
      fleet: { url: 'https://github.com/contoso/fleet.git', tokenFrom: 'GITOPS_TOKEN' },
    },
  });
  const git = memoryGit(options.files ?? seed);
  const prs = memoryPullRequests();
  const queue = memoryQueue();
  const log = captureLogger();
  const settings: Record<string, string> = options.settings ?? { GITOPS_TOKEN: TOKEN };
  const deps: PinDeps = {
    config,
    setting: (name) => settings[name],
    writer: git,
    pullRequests: prs,
    queue,
    log,
  };
  const notifications = () =>
    queue.sent.filter((m) => m.queue === 'notifications').map((m) => m.message as Notification);
  const poisoned = () => queue.sent.filter((m) => m.queue === 'pin-requests-poison').map((m) => m.message);
  /** Runs the request through the queue-consumer runner as attempt `attempt` of 5, as pinRequest does. */
  const consume = (pin: PinRequest, attempt = 1) =>
    runQueueConsumer(
      {
        queue,
        log,
        clock: () => new Date('2026-11-25T10:00:00Z'),
        random: () => 0.5,
        retry: { ...defaultRetryPolicy, maxAttempts: 5 },
      },
      pinQueue,
      (parsed) => pinImage(deps, parsed),
      attempt === 1 ? pin : { ...pin, delivery: { attempt, firstAttemptAt: '2026-11-25T09:00:00.000Z' } },
    );
  return { deps, git, prs, queue, log, notifications, poisoned, consume };
}

const pinnedLine = `          image: ${REF}:1.4.2@${DIGEST}`;

describe('pinImage (push mode)', () => {
  it('commits the rewrite of the files under paths with the default message and reports it', async () => {
    const { deps, git, notifications, log } = setup();

    const outcome = await pinImage(deps, request());

    const main = git.branches.get('main') as Branch;
    expect(outcome).toMatchObject({ kind: 'pinned', result: 'committed', commit: main.commit });
    expect(main.files.get('apps/payments/deployment.yaml')).toBe(deployment(`${REF}:1.4.2@${DIGEST}`));
    expect(main.files.get('apps/payments/.argocd-source-payments.yaml')).toContain(`${REF}:1.4.2@${DIGEST}`);
    // Outside `paths`: untouched even though they name the image.
    expect(main.files.get('clusters/prod/payments.yaml')).toBe(seed['clusters/prod/payments.yaml']);
    expect(main.message).toBe(
      'chore(images): pin payments/api:1.4.2 to sha256:d33b0af8c00d\n\n' +
        `Pin contoso.azurecr.io/payments/api:1.4.2 to ${DIGEST}.\n\n` +
        'Changed files:\n- apps/payments/.argocd-source-payments.yaml\n- apps/payments/deployment.yaml\n\n' +
        'Autopilot-Event: evt-1\n',
    );
    expect(git.calls).toEqual([
      {
        url: 'https://github.com/contoso/fleet.git',
        branch: 'main',
        author: { name: 'acr-autopilot', email: 'acr-autopilot@users.noreply.github.com' },
        auth: { username: 'x-access-token', password: TOKEN },
        eventId: 'evt-1',
        tokenSetting: 'GITOPS_TOKEN',
        paths: ['apps/**'],
      },
    ]);
    expect(notifications()).toEqual([
      {
        type: 'notify',
        dedupeKey: pinOutcomeKey(request()),
        correlationId: 'evt-1',
        channel: 'platform',
        payload: {
          kind: 'pinned',
          event: request().event,
          repo: 'fleet',
          result: 'committed',
          files: [
            {
              file: 'apps/payments/.argocd-source-payments.yaml',
              line: 4,
              before: `      value: ${REF}:1.4.2@${OLD}`,
              after: `      value: ${REF}:1.4.2@${DIGEST}`,
            },
            {
              file: 'apps/payments/deployment.yaml',
              line: 10,
              before: `          image: ${REF}:1.4.2`,
              after: pinnedLine,
            },
          ],
          skipped: [],
          commit: main.commit,
          commitUrl: `https://github.com/contoso/fleet/commit/${main.commit}`,
        },
      },
    ]);
    expect(log.all()).toMatch(/committed \([0-9a-f]{12}; 2 file\(s\), no mention skipped\)/);
    expect(log.all()).not.toContain(TOKEN);
  });

  it('re-applies the rewrite to the fresh tree after a lost race', async () => {
    const { deps, git, notifications } = setup();
    // Someone else adds a second reference while the first round was being pushed.
    git.race({ 'apps/payments/worker.yaml': deployment(`${REF}:1.4.2`) });

    await pinImage(deps, request());

    const main = git.branches.get('main') as Branch;
    expect(git.edits).toBe(2);
    expect(main.files.get('apps/payments/worker.yaml')).toBe(deployment(`${REF}:1.4.2@${DIGEST}`));
    expect(main.message).toContain('- apps/payments/worker.yaml');
    expect(notifications()[0]?.payload).toMatchObject({
      result: 'committed',
      files: [
        expect.anything(),
        expect.anything(),
        expect.objectContaining({ file: 'apps/payments/worker.yaml' }),
      ],
    });
  });

  it('makes no commit for a redelivered request and reports no-change under the same key', async () => {
    const { deps, git, notifications } = setup();
    await pinImage(deps, request());
    const head = git.branches.get('main')?.commit;

    const again = await pinImage(deps, request());

    expect(again).toMatchObject({ kind: 'pinned', result: 'no-change', changes: [] });
    expect(git.branches.get('main')?.commit).toBe(head);
    const [firstNote, secondNote] = notifications();
    expect(secondNote?.dedupeKey).toBe(firstNote?.dedupeKey);
    expect(secondNote?.payload).toMatchObject({ kind: 'pinned', result: 'no-change', files: [] });
    expect(secondNote?.payload).not.toHaveProperty('commit');
  });

  it('reports what the engine skipped, and sends nothing to routes that do not want pinned', async () => {
    const files = { 'apps/values.yaml': `image: ${REF}:\${TAG}\n` };
    const { deps, notifications, log } = setup({ files });
    const outcome = await pinImage(
      deps,
      request({ paths: ['**/*.yaml'], notify: [{ channel: 'quiet', kinds: ['pushed'] }] }),
    );
    expect(outcome).toMatchObject({ kind: 'pinned', result: 'no-change' });
    expect(outcome.kind === 'pinned' && outcome.skipped).toEqual([
      { file: 'apps/values.yaml', line: 1, kind: 'templated', reason: expect.any(String) },
    ]);
    expect(log.all()).toMatch(/no-change \(no commit; 0 file\(s\), 1 mention skipped: 1 templated\)/);
    expect(notifications()).toEqual([]);
  });

  it('renders a configured commit message template and keeps the event trailer', async () => {
    const { deps, git } = setup({
      gitops: {
        fleet: {
          url: 'https://github.com/contoso/fleet.git',
          tokenFrom: 'GITOPS_TOKEN',
          commitMessage:
            'deploy({{ repo }}): {{image}} ({{shortDigest}})\n\n{{fileCount}} file(s), {{changeCount}} line(s) on {{branch}} by {{rule}}:\n{{files}}\n{{registry}} {{repository}} {{tag}} {{digest}} {{eventId}}',
        },
      },
    });
    await pinImage(deps, request());
    expect(git.branches.get('main')?.message).toBe(
      'deploy(fleet): contoso.azurecr.io/payments/api:1.4.2 (sha256:d33b0af8c00d)\n\n' +
        '2 file(s), 2 line(s) on main by payments:\n' +
        '- apps/payments/.argocd-source-payments.yaml\n- apps/payments/deployment.yaml\n' +
        `contoso.azurecr.io payments/api 1.4.2 ${DIGEST} evt-1\n\nAutopilot-Event: evt-1\n`,
    );
  });

  it.each([
    [
      'a digest-only push',
      (() => {
        const { tag: _tag, ...event } = request().event;
        return event;
      })(),
      /digest-only push/,
    ],
    ['an event without a registry', { ...request().event, registry: '' }, /names no registry/],
  ])('skips %s without touching git', async (_name, event, reason) => {
    const { deps, git, notifications } = setup();
    const outcome = await pinImage(deps, request({ event }));
    expect(outcome).toEqual({ kind: 'skipped', reason: expect.stringMatching(reason) });
    expect(git.calls).toEqual([]);
    expect(notifications()).toEqual([]);
  });

  it('links commits on Azure Repos and leaves the link out for an unknown host', async () => {
    for (const [url, link] of [
      [
        'https://contoso@dev.azure.com/contoso/web/_git/fleet',
        'https://dev.azure.com/contoso/web/_git/fleet/commit/',
      ],
      ['https://git.example.com/fleet.git', undefined],
    ] as const) {
      const { deps, notifications } = setup({ gitops: { fleet: { url, tokenFrom: 'GITOPS_TOKEN' } } });
      await pinImage(deps, request());
      const payload = notifications()[0]?.payload as { commit: string; commitUrl?: string };
      expect(payload.commitUrl).toBe(link === undefined ? undefined : `${link}${payload.commit}`);
    }
  });

  it('keeps a notification for a huge change inside a queue message', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [
        `apps/a${String(i).padStart(3, '0')}.yaml`,
        deployment(`${REF}:1.4.2`),
      ]),
    );
    const { deps, notifications, git } = setup({ files });
    await pinImage(deps, request());
    const [note] = notifications();
    expect(Buffer.byteLength(JSON.stringify(note))).toBeLessThan(48 * 1024);
    expect((note?.payload as { files: unknown[] }).files.length).toBeGreaterThan(50);
    expect(git.branches.get('main')?.message).toContain('- …and 550 more');
  });
});

describe('pinImage (pull-request mode)', () => {
  const gitops = {
    fleet: {
      url: 'https://github.com/contoso/fleet.git',
      mode: 'pull-request',
      tokenFrom: 'GITOPS_TOKEN',
      branch: 'release',
    },
  };
  const files = { ...seed };

  it('commits to the bot-owned branch, opens the PR and reports its URL', async () => {
    const { deps, git, prs, notifications } = setup({
      gitops,
      files,
    });
    git.branches.set('release', git.branches.get('main') as Branch);

    const outcome = await pinImage(deps, request());

    const branch = git.branches.get('autopilot/payments-api-1.4.2') as Branch;
    expect(git.calls[0]).toMatchObject({ branch: 'release', targetBranch: 'autopilot/payments-api-1.4.2' });
    expect(branch.files.get('apps/payments/deployment.yaml')).toContain(`@${DIGEST}`);
    expect(git.branches.get('release')?.files.get('apps/payments/deployment.yaml')).not.toContain(DIGEST);
    expect(prs.calls).toEqual([
      {
        url: 'https://github.com/contoso/fleet.git',
        sourceBranch: 'autopilot/payments-api-1.4.2',
        targetBranch: 'release',
        title: 'chore(images): pin payments/api:1.4.2 to sha256:d33b0af8c00d',
        body: expect.stringContaining(`+ ${pinnedLine}`),
        token: TOKEN,
        tokenSetting: 'GITOPS_TOKEN',
      },
    ]);
    expect(prs.calls[0]?.body).toContain('do not push to it');
    expect(outcome).toMatchObject({
      kind: 'pinned',
      result: 'pull-request',
      commit: branch.commit,
      pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
    });
    expect(notifications()[0]?.payload).toMatchObject({
      result: 'pull-request',
      pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
      commitUrl: `https://github.com/contoso/fleet/commit/${branch.commit}`,
    });
  });

  it('opens the PR when the branch already holds the change (redelivery after a crash before the PR)', async () => {
    const { deps, git, prs } = setup({ gitops, files });
    git.branches.set('release', git.branches.get('main') as Branch);
    prs.fail(new GitHostUnavailableError('GitHub answered 502'));
    await expect(pinImage(deps, request())).rejects.toThrow('502');
    prs.fail(undefined);

    const outcome = await pinImage(deps, request());

    expect(outcome).toMatchObject({
      result: 'pull-request',
      changes: [expect.anything(), expect.anything()],
    });
    expect(prs.calls).toHaveLength(2);
  });

  it('opens no PR when the base branch already has the digest', async () => {
    const pinned = {
      ...files,
      'apps/payments/.argocd-source-payments.yaml': '',
      'apps/payments/deployment.yaml': deployment(`${REF}:1.4.2@${DIGEST}`),
    };
    const { deps, git, prs } = setup({ gitops, files: pinned });
    git.branches.set('release', git.branches.get('main') as Branch);
    const outcome = await pinImage(deps, request());
    expect(outcome).toMatchObject({ result: 'no-change' });
    expect(prs.calls).toEqual([]);
  });
});

describe('pinImage failures', () => {
  it.each([
    [
      'an unknown gitops repo',
      { repo: 'nope' },
      {},
      /gitops repo "nope" is not configured \(defined: fleet\); add gitops.nope .* rule "payments".pin.repo/,
    ],
    [
      'an unset token setting',
      {},
      { settings: {} },
      /gitops.fleet.tokenFrom names the app setting GITOPS_TOKEN, which is not set/,
    ],
    [
      'pull-request mode without a token',
      {},
      { gitops: { fleet: { url: 'https://github.com/contoso/fleet.git', mode: 'pull-request' } } },
      /pull-request mode, which needs a token/,
    ],
    [
      'an unknown placeholder',
      {},
      {
        gitops: {
          fleet: {
            url: 'https://github.com/contoso/fleet.git',
            tokenFrom: 'GITOPS_TOKEN',
            commitMessage: 'pin {{ .Tag }} {{version}}',
          },
        },
      },
      /commitMessage uses the unknown placeholder \{\{ \.Tag \}\}; known: \{\{repository\}\}/,
    ],
    [
      'a digest that is not algorithm:hex',
      { event: { ...request().event, digest: 'sha256:feed' } },
      {},
      /pushed digest "sha256:feed" is not algorithm:hex/,
    ],
  ])(
    'parks the request for %s and reports it, without touching git',
    async (_name, overrides, options, problem) => {
      const { git, notifications, poisoned, log, consume } = setup(options);
      const pin = request(overrides as Partial<PinRequest>);

      const result = await consume(pin, 2);

      expect(result).toMatchObject({ kind: 'parked', reason: expect.stringMatching(problem) });
      expect(git.calls).toEqual([]);
      expect(poisoned()).toEqual([
        { ...pin, delivery: expect.objectContaining({ attempt: 2, reason: expect.stringMatching(problem) }) },
      ]);
      expect(notifications().map((n) => [n.channel, n.payload])).toEqual(
        ['platform', 'alerts'].map((channel) => [
          channel,
          {
            kind: 'failed',
            action: 'pin',
            error: expect.stringMatching(problem),
            attempts: 2,
            poisoned: true,
            parkedOn: 'pin-requests-poison',
            event: pin.event,
            target: pin.repo,
          },
        ]),
      );
      expect(log.lines.at(-1)).toMatchObject({
        level: 'error',
        message: expect.stringMatching(
          /Moved to pin-requests-poison \(retrying cannot help\); fix the cause, then replay it: acr-autopilot poison requeue pin-requests --id [0-9a-f]{32}$/,
        ),
      });
    },
  );

  it('parks a refusal by the git host and never writes the token anywhere', async () => {
    const { git, queue, log, consume } = setup();
    git.fail(
      new GitHostRefusedError(
        `https://github.com/contoso/fleet.git refused the token in app setting GITOPS_TOKEN (HTTP 403) ${TOKEN}`,
        { status: 403 },
      ),
    );
    const result = await consume(request());
    expect(result).toMatchObject({ kind: 'parked', reason: expect.stringContaining('HTTP 403') });
    expect(JSON.stringify(queue.sent)).not.toContain(TOKEN);
    expect(log.all()).not.toContain(TOKEN);
  });

  it('retries an unavailable host later, and reports and parks it only after the last attempt', async () => {
    const { git, queue, notifications, poisoned, log, consume } = setup();
    git.fail(new GitHostUnavailableError('https://github.com/contoso/fleet.git answered 503'));

    expect(await consume(request(), 4)).toMatchObject({ kind: 'retrying', attempt: 4 });
    expect(notifications()).toEqual([]);
    expect(queue.sent.filter((m) => m.queue === 'pin-requests')).toEqual([
      { queue: 'pin-requests', message: { ...request(), delivery: expect.objectContaining({ attempt: 5 }) } },
    ]);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'warn',
      message: expect.stringContaining('attempt 4 of 5'),
    });

    expect(await consume(request(), 5)).toMatchObject({ kind: 'parked', attempt: 5 });
    expect(notifications().map((n) => n.payload)).toEqual([
      expect.objectContaining({
        kind: 'failed',
        attempts: 5,
        poisoned: true,
        error: expect.stringContaining('503'),
      }),
      expect.objectContaining({ kind: 'failed', attempts: 5, poisoned: true }),
    ]);
    expect(poisoned()).toHaveLength(1);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: expect.stringMatching(/gave up: all 5 attempts failed.*pin-requests-poison/),
    });
  });

  it('rethrows when the notification cannot be queued, so the pin is reported on the retry', async () => {
    const { deps } = setup();
    const failing = { ...deps, queue: memoryQueue({ failOn: 'notifications' }) };
    await expect(pinImage(failing, request())).rejects.toThrow('queue notifications is down');
  });
});

describe('pinImage: deploy after pin', () => {
  const then = [
    {
      target: 'web-prod',
      rule: { index: 0, name: 'payments' },
      notify: [{ channel: 'platform', kinds: ['deployed' as const] }],
    },
    { target: 'payments-aca', rule: { index: 1 }, notify: [] },
  ];
  const deploys = (queue: ReturnType<typeof memoryQueue>) =>
    queue.sent.filter((m) => m.queue === 'deploy-requests').map((m) => m.message as DeployRequest);

  it('queues the deployments once the commit landed, carrying its sha', async () => {
    const { deps, git, queue } = setup();

    const outcome = await pinImage(deps, request({ then }));

    const main = git.branches.get('main') as Branch;
    expect(outcome).toMatchObject({
      kind: 'pinned',
      result: 'committed',
      deploys: { targets: ['web-prod', 'payments-aca'], commit: main.commit },
    });
    expect(deploys(queue)).toEqual([
      {
        type: 'deploy',
        dedupeKey: request().dedupeKey,
        correlationId: 'evt-1',
        event: request().event,
        rule: { index: 0, name: 'payments' },
        notify: [{ channel: 'platform', kinds: ['deployed'] }],
        target: 'web-prod',
        after: 'pin',
        pin: {
          repo: 'fleet',
          result: 'committed',
          commit: main.commit,
          commitUrl: `https://github.com/contoso/fleet/commit/${main.commit}`,
        },
      },
      expect.objectContaining({
        target: 'payments-aca',
        rule: { index: 1 },
        pin: expect.objectContaining({ commit: main.commit }),
      }),
    ]);
    // The pinned card goes out first: a deploy queue outage retries the pin, which then finds no change.
    expect(queue.sent.map((m) => m.queue)).toEqual(['notifications', 'deploy-requests', 'deploy-requests']);
  });

  it('sends them again on a redelivery, with the commit that holds the pin (the deploy consumer sends each once)', async () => {
    const { deps, git, queue } = setup();
    await pinImage(deps, request({ then }));
    const head = git.branches.get('main')?.commit;

    const again = await pinImage(deps, request({ then }));

    expect(again).toMatchObject({ result: 'no-change', deploys: { commit: head } });
    expect(
      deploys(queue)
        .slice(2)
        .map((d) => d.pin),
    ).toEqual([
      {
        repo: 'fleet',
        result: 'no-change',
        commit: head,
        commitUrl: `https://github.com/contoso/fleet/commit/${head}`,
      },
      {
        repo: 'fleet',
        result: 'no-change',
        commit: head,
        commitUrl: `https://github.com/contoso/fleet/commit/${head}`,
      },
    ]);
  });

  it('in pull-request mode sends them when the pull request is opened, and says so', async () => {
    const { deps, git, queue } = setup({
      gitops: {
        fleet: {
          url: 'https://github.com/contoso/fleet.git',
          mode: 'pull-request',
          tokenFrom: 'GITOPS_TOKEN',
        },
      },
    });

    const outcome = await pinImage(deps, request({ then }));

    const branch = git.branches.get('autopilot/payments-api-1.4.2') as Branch;
    expect(outcome).toMatchObject({
      result: 'pull-request',
      deploys: {
        commit: branch.commit,
        note: 'sent when the pull request was opened, not when it is merged',
      },
    });
    expect(deploys(queue)[0]?.pin).toEqual({
      repo: 'fleet',
      result: 'pull-request',
      commit: branch.commit,
      commitUrl: `https://github.com/contoso/fleet/commit/${branch.commit}`,
      pullRequestUrl: 'https://github.com/contoso/fleet/pull/7',
    });
  });

  it('sends none when the pin is skipped, and says which', async () => {
    const { deps, queue } = setup();
    const digestOnly = request({ then, event: { ...request().event, tag: undefined } });
    delete digestOnly.event.tag;
    const outcome = await pinImage(deps, digestOnly);
    expect(outcome).toMatchObject({
      kind: 'skipped',
      reason: expect.stringContaining('deployments after the pin (web-prod, payments-aca) are not sent'),
    });
    expect(deploys(queue)).toEqual([]);
  });

  it('rethrows when the deploy queue is down, so the retry sends them', async () => {
    const { deps } = setup();
    const failing = { ...deps, queue: memoryQueue({ failOn: 'deploy-requests' }) };
    await expect(pinImage(failing, request({ then }))).rejects.toThrow('queue deploy-requests is down');
  });

  it('sends no deploy request when the pin asks for none', async () => {
    const { deps, queue } = setup();
    const outcome = await pinImage(deps, request());
    expect(outcome).not.toHaveProperty('deploys');
    expect(deploys(queue)).toEqual([]);
  });
});
