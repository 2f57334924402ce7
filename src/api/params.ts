/** A user or group id: a string, or a number (sent as a string). */
export type Id = string | number;

/** JSON-like user data. Dates become ISO strings; values JSON cannot hold are refused at the call. */
export type Payload = Record<string, unknown>;

/** Who did it: at least one of `userId` and `anonymousId`. */
export type Identity = { userId: Id; anonymousId?: Id } | { userId?: Id; anonymousId: Id };

/** Fields every call takes. */
export interface CommonParams {
  /** Extra context (ip, locale, campaign, …). `library` and `otel` are set by this package. */
  context?: Payload;
  /** Which destinations receive the message, as Segment's `integrations` object. */
  integrations?: Payload;
  /** When it happened. @default the time of the call */
  timestamp?: Date | string;
  /** A unique id (at most 100 characters). @default a new UUID */
  messageId?: string;
}

/** `identify`: who the user is. */
export type IdentifyParams = Identity & CommonParams & { traits?: Payload };

/** `track`: what the user did. */
export type TrackParams = Identity & CommonParams & { event: string; properties?: Payload };

/** `page`: a web page view. */
export type PageParams = Identity & CommonParams & { name?: string; category?: string; properties?: Payload };

/** `screen`: a mobile or app screen view. */
export type ScreenParams = PageParams;

/** `group`: the user's company, team or account. */
export type GroupParams = Identity & CommonParams & { groupId: Id; traits?: Payload };

/** `alias`: a new id for a known user. */
export type AliasParams = CommonParams & { userId: Id; previousId: Id };
