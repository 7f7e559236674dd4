import { describe, expect, it } from 'vitest';
import {
  setContainerImage,
  type AppTemplateContainers,
} from '../../../../shared/domain/deploy/container-app-image';
import { ConfigError } from '../../../../shared/domain/errors';

const image =
  'contoso.azurecr.io/payments/api@sha256:4f1a8c0e3b2d5f6a7c8e9d0b1a2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d';

const api = {
  name: 'api',
  image: 'contoso.azurecr.io/payments/api:1.4.1',
  resources: { cpu: 0.5, memory: '1Gi' },
  env: [{ name: 'DB', secretRef: 'db-conn' }],
  probes: [{ type: 'Liveness', httpGet: { path: '/healthz', port: 8080 } }],
};
const envoy = { name: 'envoy', image: 'mcr.microsoft.com/envoy:1.30', args: ['--config', '/etc/envoy.yaml'] };
const migrate = { name: 'migrate', image: 'contoso.azurecr.io/payments/api:1.4.1', command: ['migrate'] };

describe('setContainerImage', () => {
  it('changes only the named container and keeps the sidecar and every other field', () => {
    const template: AppTemplateContainers = { containers: [envoy, api], initContainers: [migrate] };
    const update = setContainerImage(template, 'api', image);
    expect(update).toEqual({
      containers: [envoy, { ...api, image }],
      initContainers: [migrate],
      container: 'api',
      previousImage: 'contoso.azurecr.io/payments/api:1.4.1',
      changed: true,
    });
    expect(update.containers[0]).toBe(envoy);
  });

  it('does not modify the template it was given', () => {
    const template = { containers: [api] };
    const copy = structuredClone(template);
    setContainerImage(template, undefined, image);
    expect(template).toEqual(copy);
  });

  it('picks the only container when no name is given', () => {
    const update = setContainerImage({ containers: [api] }, undefined, image);
    expect(update.containers).toEqual([{ ...api, image }]);
    expect(update).not.toHaveProperty('initContainers');
  });

  it('can set an init container by name', () => {
    const update = setContainerImage({ containers: [api], initContainers: [migrate] }, 'migrate', image);
    expect(update.containers).toEqual([api]);
    expect(update.initContainers).toEqual([{ ...migrate, image }]);
  });

  it('says when the container already runs the image', () => {
    const update = setContainerImage({ containers: [{ ...api, image }] }, 'api', image);
    expect(update.changed).toBe(false);
    expect(update.previousImage).toBe(image);
  });

  it.each<[string, AppTemplateContainers, string | undefined, RegExp]>([
    [
      'an unknown name, listing the containers that exist',
      { containers: [api, envoy], initContainers: [migrate] },
      'web',
      /no container "web"; it has api, envoy \(init containers: migrate\)/,
    ],
    [
      'no name with several containers',
      { containers: [api, envoy] },
      undefined,
      /has 2 containers \(api, envoy\); set container: to the one that runs this image/,
    ],
    ['an app without containers', {}, undefined, /no containers/],
  ])('refuses %s', (_name, template, name, message) => {
    expect(() => setContainerImage(template, name, image)).toThrow(ConfigError);
    expect(() => setContainerImage(template, name, image)).toThrow(message);
  });
});
