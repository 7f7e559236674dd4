import type { SourceFilter } from './event-sources';
import type { Issue } from '../errors';
import type { ImageEvent } from './image-event';

/** What a vendor parser concluded about one event. */
export type ParseOutcome =
  | {
      kind: 'accepted';
      event: ImageEvent;
      /** The replica region the delivery names (Event Grid `data.location`), for the replication gate. */
      region?: string;
    }
  | { kind: 'ignored'; reason: string; eventId?: string }
  | { kind: 'invalid'; issues: Issue[]; eventId?: string }
  | { kind: 'validation'; validationCode: string; validationUrl?: string };

/** Inputs a parser needs from outside, so parsers stay pure. */
export interface ParseContext {
  /** When the event reached us; stands in for a missing or unreadable vendor timestamp. */
  receivedAt: Date;
  /** Produces an id for events that carry none. */
  newId: () => string;
  /** Maps a host (any case, maybe an alias or custom domain) to the canonical login server. */
  canonicalRegistry: (host: string) => string;
  /** Used when the payload names no registry at all (chart events have no `request`). */
  defaultRegistry?: string;
  /** Event Grid topics (ARM ids or CloudEvents `source`) that may deliver; absent = any. */
  sources?: SourceFilter;
}
