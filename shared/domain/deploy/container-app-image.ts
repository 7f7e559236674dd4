import { ConfigError } from '../errors';

/**
 * Setting one container's image in a Container App. ARM's PATCH is a JSON merge patch, and merge patch
 * replaces arrays whole (RFC 7396 §1): sending only the changed container would drop every sidecar. So
 * the adapter GETs the app, this function changes the one image, and the adapter PATCHes the whole
 * `template.containers` (and `initContainers`) it returns (shared/reference/next.md §1.1).
 */

/** A container as ARM returns it: every field besides `name` and `image` is kept as it is. */
export interface ContainerSpec {
  name?: string | undefined;
  image?: string | undefined;
  [field: string]: unknown;
}

/** The part of `properties.template` this reads. */
export interface AppTemplateContainers {
  containers?: readonly ContainerSpec[] | undefined;
  initContainers?: readonly ContainerSpec[] | undefined;
}

export interface ContainerImageUpdate {
  /** All app containers, the one changed in place, in their order. */
  containers: ContainerSpec[];
  /** The init containers unchanged (unless one of them was named); absent when the app has none. */
  initContainers?: ContainerSpec[];
  /** Name of the container that got the image. */
  container: string;
  previousImage: string | undefined;
  /** False when that container already runs `image`: nothing to PATCH. */
  changed: boolean;
}

/**
 * `template` with the image of `containerName` (or of the app's only container, when no name is
 * given) set to `image` (`registry/repository@digest`). Every other container and field is kept.
 * @throws ConfigError naming the containers that exist, when the name matches none or when no name is
 *   given and the app has several containers.
 */
export function setContainerImage(
  template: AppTemplateContainers,
  containerName: string | undefined,
  image: string,
): ContainerImageUpdate {
  const containers = [...(template.containers ?? [])];
  const initContainers = template.initContainers ? [...template.initContainers] : undefined;
  const names = containers.map((container) => container.name ?? '(unnamed)');

  let list = containers;
  let index: number;
  if (containerName === undefined) {
    if (containers.length !== 1) {
      throw new ConfigError(
        containers.length === 0
          ? 'the container app has no containers to set the image of'
          : `the container app has ${containers.length} containers (${names.join(', ')}); set container: to the one that runs this image`,
        [{ path: 'container', message: `one of ${names.join(', ')}` }],
      );
    }
    index = 0;
  } else {
    index = containers.findIndex((container) => container.name === containerName);
    if (index === -1 && initContainers) {
      const initIndex = initContainers.findIndex((container) => container.name === containerName);
      if (initIndex !== -1) [list, index] = [initContainers, initIndex];
    }
    if (index === -1) {
      const initNames = (initContainers ?? []).map((container) => container.name ?? '(unnamed)');
      throw new ConfigError(
        `the container app has no container "${containerName}"; it has ${names.join(', ') || 'none'}` +
          (initNames.length > 0 ? ` (init containers: ${initNames.join(', ')})` : ''),
        [{ path: 'container', message: `no container "${containerName}"` }],
      );
    }
  }

  const current = list[index] as ContainerSpec;
  const changed = current.image !== image;
  if (changed) list[index] = { ...current, image };
  return {
    containers,
    ...(initContainers ? { initContainers } : {}),
    container: current.name ?? '',
    previousImage: current.image,
    changed,
  };
}
