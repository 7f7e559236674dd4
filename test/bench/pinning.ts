import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { rewriteImageRefs } from '../../shared/domain/pinning/rewrite-image-refs';
import { functionArgs } from '../helpers/e2e-app';
import { startGitHttpServer } from '../helpers/git-http-server';
import { startLocalHostProcess } from '../helpers/local-host-process';
import { ms, percentile, printFigures, type Figure } from './stats';

const registry = 'contoso.azurecr.io';
const pinned = 'payments/api';
const secret = 'Bearer bench-pinning-secret';
const token = 'ghp_benchPinningToken000000000000000001';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/**
 * Digest pinning, measured two ways: (a) the pure rewrite over a generated 1,000-file GitOps tree, and
 * (b) an ACR push until its commit is visible in a local git server, through the local host (webhook →
 * image-events → fan-out → pin-requests → fetch, rewrite, commit, push) for 100, 1,000 and 10,000 files.
 * The first push of each size is a warm-up (it also builds the worker's git mirror); the figures are
 * the pushes after it, each fetching only what changed since the one before.
 */
export async function benchPinning(options: {
  rewriteRuns: number;
  pushes: number;
  /** Repository sizes to measure (b) on; default 100, 1,000 and 10,000 files. */
  sizes?: readonly number[];
}): Promise<Figure[]> {
  const figures = benchRewrite(options.rewriteRuns);
  for (const files of options.sizes ?? [100, 1000, 10_000]) {
    figures.push(
      ...(await benchPushToCommit(files <= 100 ? options.pushes : Math.min(options.pushes, 10), files)),
    );
  }
  return figures;
}

/** p50 targets of push → commit visible, by repository size (issue 13; 100 files: no worse than before). */
const pushTargets: Record<number, { ms: number; label: string }> = {
  100: { ms: 730, label: '≤ 0.73 s' },
  1000: { ms: 1000, label: '≤ 1 s' },
  10_000: { ms: 2000, label: '≤ 2 s' },
};

/**
 * A GitOps repo of `count` files as platform teams write them: Deployments, CronJobs, Services,
 * ConfigMaps, kustomizations, Flux HelmReleases and Helm values, for 25 teams. Every tenth file refers
 * to payments/api (at `tag`); the others to the teams' own images.
 */
export function gitopsTree(count: number, tag = '1.4.2'): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const team = `team${i % 25}`;
    const app = `svc${Math.floor(i / 25) % 40}`;
    const image =
      i % 10 === 0 ? `${registry}/${pinned}:${tag}` : `${registry}/${team}/${app}:1.${i % 7}.${i % 13}`;
    const shape = Math.floor(i / 10) % 7;
    const dir = `apps/${team}/${app}`;
    switch (shape) {
      case 0:
        files[`${dir}/deployment-${i}.yaml`] = deploymentYaml(app, image);
        break;
      case 1:
        files[`${dir}/cronjob-${i}.yaml`] = cronJobYaml(app, image);
        break;
      case 2:
        files[`${dir}/kustomization-${i}/kustomization.yaml`] = kustomizationYaml(image);
        break;
      case 3:
        files[`clusters/prod/${team}/helmrelease-${i}.yaml`] = helmReleaseYaml(app, image);
        break;
      case 4:
        files[`${dir}/service-${i}.yaml`] = i % 10 === 0 ? deploymentYaml(app, image) : serviceYaml(app);
        break;
      case 5:
        files[`${dir}/configmap-${i}.yml`] = i % 10 === 0 ? cronJobYaml(app, image) : configMapYaml(app, i);
        break;
      default:
        files[`charts/${team}-${app}-${i}/values.yaml`] = valuesYaml(image);
    }
  }
  return files;
}

function benchRewrite(runs: number): Figure[] {
  const files = Object.entries(gitopsTree(1000)).map(([file, content]) => ({ file, content }));
  const image = { registry, repository: pinned, tag: '1.4.2', digest: digestOf('bench') };
  const timings: number[] = [];
  let changed = 0;
  let changes = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const selected = picomatch(['**/*.yaml', '**/*.yml'], { dot: true });
    const result = rewriteImageRefs(
      files.filter((f) => selected(f.file)),
      image,
    );
    timings.push(performance.now() - started);
    changed = result.files.length;
    changes = result.changes.length;
  }
  const p50 = percentile(timings, 50);
  const figures: Figure[] = [
    { name: 'files / files referencing the image', value: `${files.length} / 100` },
    { name: 'files changed per run', value: String(changed), target: '100', ok: changed === 100 },
    { name: 'lines changed per run', value: String(changes) },
    { name: 'rewrite 1,000 files, p50', value: ms(p50), target: '≤ 1 s', ok: p50 <= 1000 },
    { name: 'rewrite 1,000 files, max', value: ms(Math.max(...timings)) },
  ];
  printFigures(
    `Pinning (a): select + rewriteImageRefs over a generated 1,000-file GitOps tree, ${runs} runs`,
    figures,
  );
  return figures;
}

async function benchPushToCommit(pushes: number, files: number): Promise<Figure[]> {
  const git = await startGitHttpServer({ tokens: { [token]: 'write' } });
  await git.createRepo('org/fleet', gitopsTree(files, '1.4.0'));
  const dir = mkdtempSync(join(tmpdir(), 'bench-pinning-'));
  // `follow` moves every reference to the newest tag, so each push of a new tag makes a commit.
  writeFileSync(
    join(dir, 'autopilot.yaml'),
    `
gitops:
  fleet: { url: '${git.repoUrl('org/fleet')}', tokenFrom: GITOPS_TOKEN }
rules:
  - match: { repository: '${pinned}' }
    pin: { repo: fleet, mode: follow }
`,
  );
  const host = await startLocalHostProcess({
    args: functionArgs(['acr-webhook', 'health', 'app-start', 'fan-out-actions', 'pin-request']),
    env: {
      AUTOPILOT_CONFIG: join(dir, 'autopilot.yaml'),
      ACR_WEBHOOK_SECRET: secret,
      GITOPS_TOKEN: token,
      // The git server speaks plain http on loopback.
      AUTOPILOT_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
  const pushAndWait = async (tag: string) => {
    const before = await git.head('org/fleet', 'main');
    const started = performance.now();
    const response = await fetch(`${host.url}/api/acr/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: secret },
      body: JSON.stringify({
        id: `bench-${tag}`,
        action: 'push',
        timestamp: new Date().toISOString(),
        target: {
          repository: pinned,
          tag,
          digest: digestOf(tag),
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
        },
        request: { host: registry, method: 'PUT' },
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`webhook for ${tag} answered ${response.status}`);
    while ((await git.head('org/fleet', 'main')) === before) {
      if (performance.now() - started > 120_000) {
        throw new Error(`no commit for ${tag} within 120 s; host output:\n${host.output().slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return performance.now() - started;
  };
  try {
    await pushAndWait('1.4.1'); // warm-up: JIT, queue creation, first clone (the worker's mirror)
    const timings: number[] = [];
    for (let n = 0; n < pushes; n++) timings.push(await pushAndWait(`1.5.${n}`));
    const p50 = percentile(timings, 50);
    const size = `${files.toLocaleString('en')} files`;
    const target = pushTargets[files];
    const figures: Figure[] = [
      {
        name: `push → commit visible, p50 (${size})`,
        value: ms(p50),
        ...(target ? { target: target.label, ok: p50 <= target.ms } : {}),
      },
      { name: `push → commit visible, p90 (${size})`, value: ms(percentile(timings, 90)) },
      { name: `push → commit visible, max (${size})`, value: ms(Math.max(...timings)) },
    ];
    printFigures(
      `Pinning (b): ${pushes} ACR pushes of new tags until the commit is in the local git server ` +
        `(${size}, ${files / 10} referencing the image), through the local host`,
      figures,
    );
    return figures;
  } finally {
    await host.stop();
    await git.close();
  }
}

function deploymentYaml(name: string, image: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/part-of: fleet
spec:
  replicas: 3
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
      annotations:
        prometheus.io/scrape: "true"
    spec:
      serviceAccountName: ${name}
      securityContext:
        runAsNonRoot: true
        seccompProfile: { type: RuntimeDefault }
      initContainers:
        - name: migrate
          image: ${image}
          args: ["migrate", "--wait"]
      containers:
        - name: ${name}
          image: ${image}
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: LOG_LEVEL
              value: info
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability:4317
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
          readinessProbe:
            httpGet: { path: /healthz, port: http }
        - name: envoy
          image: docker.io/envoyproxy/envoy:v1.31.2
          args: ["-c", "/etc/envoy/envoy.yaml"]
`;
}

function cronJobYaml(name: string, image: string): string {
  return `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}-nightly
spec:
  schedule: "17 3 * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              image: ${image}
              args: ["reconcile", "--all"]
`;
}

function kustomizationYaml(image: string): string {
  const at = image.lastIndexOf(':');
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: apps
resources:
  - ../../base
  - ingress.yaml
labels:
  - pairs: { environment: prod }
images:
  - name: app
    newName: ${image.slice(0, at)}
    newTag: ${image.slice(at + 1)}
  - name: busybox
    newTag: "1.36"
patches:
  - path: replicas.yaml
`;
}

function helmReleaseYaml(name: string, image: string): string {
  const at = image.lastIndexOf(':');
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
  namespace: apps
spec:
  interval: 30m
  chart:
    spec:
      chart: app-template
      version: 3.5.1
      sourceRef: { kind: HelmRepository, name: bjw-s, namespace: flux-system }
  values:
    controllers:
      main:
        containers:
          app:
            image:
              repository: ${image.slice(0, at)}
              tag: ${image.slice(at + 1)}
            env:
              TZ: Europe/Amsterdam
    service:
      main:
        controller: main
        ports:
          http: { port: 8080 }
`;
}

function valuesYaml(image: string): string {
  const at = image.lastIndexOf(':');
  return `# Default values for the chart.
replicaCount: 2
image:
  repository: ${image.slice(0, at)}
  tag: "${image.slice(at + 1)}"
  pullPolicy: IfNotPresent
serviceAccount:
  create: true
service:
  type: ClusterIP
  port: 80
ingress:
  enabled: false
resources:
  requests: { cpu: 50m, memory: 64Mi }
nodeSelector: {}
tolerations: []
`;
}

function serviceYaml(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

function configMapYaml(name: string, i: number): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config-${i}
data:
  FEATURE_FLAGS: "checkout-v2,async-refunds"
  settings.yaml: |
    retries: 3
    timeout: 5s
    upstream: http://${name}.apps.svc.cluster.local
`;
}
