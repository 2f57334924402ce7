import type { ValidateFunction } from 'ajv';
import type { PlanEnforcement } from '../../config/resolve-options.js';
import { readThrown, ValidationError } from '../../errors/metarouter-error.js';
import { PlanViolationError, type PlanOutcome } from '../../errors/plan-violation-error.js';
import type { CompiledPlan, CompiledRule, DescribedField, RuleVersions } from './compile-plan.js';
import { decideAction, strongest, type ViolationAction } from './decide-action.js';
import type { RuleScope } from './normalize-plan.js';
import type { SegmentMessage } from '../segment-message.js';
import { joinPath, MAX_VIOLATIONS_PER_MESSAGE, VIOLATION_TYPES, violationsOf, type Violation, type ViolationType } from './violation.js';

/** The object of a call that unplanned names are looked for in. */
export type PlannedField = 'properties' | 'traits';

/** Which object a call type's data travels in. */
export const PLANNED_FIELD: Readonly<Record<Exclude<RuleScope, 'common'>, PlannedField>> = Object.freeze({
  track: 'properties',
  page: 'properties',
  screen: 'properties',
  identify: 'traits',
  group: 'traits',
});

/**
 * What `check()` reads: the shaping stage's Segment message, whose fields may each be missing (a
 * message read from a file by `plan check` has not been through the Spec checks).
 */
export type CheckedMessage = Readonly<Partial<SegmentMessage>>;

/** What to do with a checked message. `violations` lists the reported ones (allowed ones are not). */
export type CheckResult =
  /** Send `message`: the input itself, or a copy without its omitted properties. `report` is set when something broke the plan. */
  | { readonly kind: 'send'; readonly message: CheckedMessage; readonly violations: readonly Violation[]; readonly report: PlanViolationError | undefined }
  /** Do not send; report `report`. */
  | { readonly kind: 'drop'; readonly violations: readonly Violation[]; readonly report: PlanViolationError }
  /**
   * Throw `error` at the call (otherViolations: 'throw'). Where no caller can take it (exporters,
   * the bridge), drop the message and report `report` instead.
   */
  | { readonly kind: 'reject'; readonly violations: readonly Violation[]; readonly error: ValidationError; readonly report: PlanViolationError };

/** What the enforcer has seen since it was made. Read-only snapshots. */
export interface PlanCounters {
  readonly checked: number;
  readonly sent: number;
  readonly dropped: number;
  readonly rejected: number;
  /** Properties and traits removed from sent messages. */
  readonly omittedProperties: number;
  /** Unplanned events let through without a report (`unplannedEvents: 'allow'`). */
  readonly allowedUnplannedEvents: number;
  /** Reported violations, by type. */
  readonly violations: Readonly<Record<ViolationType, number>>;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);
const SCOPES_WITH_KEY: ReadonlySet<unknown> = new Set(['track', 'page', 'screen']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks messages against a compiled plan and says what each becomes. Pure apart from its
 * counters: no I/O, no clock; it never throws (a validator that throws, as a stack overflow on a
 * pathologically nested message, is an `Invalid-Value` violation), and it never changes the
 * message it is given (an omission returns a copy).
 *
 * The happy path (a planned message without violations) costs one map lookup, one pass over the
 * names of `properties`/`traits`, and the compiled validators; it allocates only the result.
 */
export class PlanEnforcer {
  private readonly plan: CompiledPlan;
  private readonly settings: PlanEnforcement;
  private readonly tally = { checked: 0, sent: 0, dropped: 0, rejected: 0, omittedProperties: 0, allowedUnplannedEvents: 0 };
  private readonly byType: Record<ViolationType, number> = Object.fromEntries(VIOLATION_TYPES.map((type) => [type, 0])) as Record<ViolationType, number>;

  constructor(plan: CompiledPlan, settings: PlanEnforcement) {
    this.plan = plan;
    this.settings = settings;
  }

  /** Counters since construction. */
  get counters(): PlanCounters {
    return { ...this.tally, violations: { ...this.byType } };
  }

  /**
   * Decides what `message` becomes under the plan. `message` is plain data (JSON values), as the
   * entry points hold it after their snapshot; a JavaScript caller's object that cannot be read (a
   * getter or a Proxy's trap throws) is an `Invalid-Value` violation of the whole message.
   */
  check(message: CheckedMessage): CheckResult {
    this.tally.checked += 1;
    try {
      return this.checkReadable(message);
    } catch (error) {
      const violation: Violation = { type: 'Invalid-Value', field: '(message)', description: `the message cannot be read: ${readThrown(error).text}`, rule: undefined };
      return this.judge([violation], message, undefined, { scope: '(message: unreadable)', name: undefined, messageId: undefined });
    }
  }

  private checkReadable(message: CheckedMessage): CheckResult {
    // The type says an object, but `plan check` reads any JSON line and JavaScript callers pass anything.
    if (!isObject(message)) {
      const what = message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message;
      const violation: Violation = { type: 'Invalid-Value', field: '(message)', description: `the message is ${what}, not an object`, rule: undefined };
      return this.judge([violation], message, undefined, { scope: `(message: ${what})`, name: undefined, messageId: undefined });
    }
    const { type } = message;
    const scope = typeof type === 'string' && Object.hasOwn(PLANNED_FIELD, type) ? (type as keyof typeof PLANNED_FIELD) : undefined;
    const eventName = scope === 'track' ? message.event : SCOPES_WITH_KEY.has(scope) ? message.name : undefined;
    const name = typeof eventName === 'string' ? eventName : undefined;
    const rule = scope === undefined ? undefined : this.ruleFor(scope, name, message.context);
    const { common } = this.plan;

    // Allocated only when something is found: the valid path allocates nothing but its result.
    let found: Violation[] | undefined;
    if (scope === 'track' && rule === undefined) {
      found = [{ type: 'Unplanned-Event', field: 'event', description: `event ${JSON.stringify(name)} is not in the tracking plan`, rule: undefined }];
    }

    let sent = message;
    let omitted: string[] | undefined;
    if (scope !== undefined && (rule !== undefined || scope !== 'track')) {
      const field = PLANNED_FIELD[scope];
      const unplanned = unplannedNames(message[field], rule?.described[field], common?.described[field]);
      if (unplanned !== undefined) {
        const omit = this.settings.unplannedProperties === 'omit';
        // A schema that forbids other names reports them itself (Additional-Properties) when they are kept.
        const closed = rule?.described[field]?.closed === true || common?.described[field]?.closed === true;
        const paths = unplanned.map((key) => joinPath(field, key));
        if (omit || !closed) {
          found ??= [];
          for (const path of paths) found.push({ type: 'Unplanned-Property', field: path, description: `${path} is not in the tracking plan${rule === undefined ? '' : ` (rule ${rule.rule.label})`}`, rule: rule?.rule.label });
        }
        if (omit) {
          omitted = paths;
          sent = this.withoutNames(message, field, unplanned, paths);
        }
      }
    }

    if (common !== undefined) found = validateInto(common, sent, found);
    if (rule !== undefined) found = validateInto(rule, sent, found);
    if (found === undefined) {
      this.tally.sent += 1;
      return { kind: 'send', message: sent, violations: NO_VIOLATIONS, report: undefined };
    }
    // A type that is not a string is described, never converted: String() throws for some objects.
    const typeName = typeof type === 'string' ? type : `(type: ${type === null ? 'null' : typeof type})`;
    return this.judge(found, sent, omitted, { scope: typeName, name, messageId: message.messageId });
  }

  private ruleFor(scope: keyof typeof PLANNED_FIELD, name: string | undefined, context: unknown): CompiledRule | undefined {
    const versions: RuleVersions | undefined = (name === undefined ? undefined : this.plan.keyed.get(scope)?.get(name)) ?? (scope === 'track' ? undefined : this.plan.unkeyed.get(scope));
    if (versions === undefined) return undefined;
    // A message may name the version of its event, as Protocols reads it.
    const pinned = isObject(context) && isObject(context.protocols) ? context.protocols.event_version : undefined;
    return (typeof pinned === 'number' ? versions.byVersion.get(pinned) : undefined) ?? versions.latest;
  }

  private withoutNames(message: CheckedMessage, field: PlannedField, names: readonly string[], paths: readonly string[]): CheckedMessage {
    const kept: Record<string, unknown> = { ...(message[field] as Record<string, unknown>) };
    for (const key of names) delete kept[key];
    this.tally.omittedProperties += names.length;
    if (!this.settings.recordOmittedProperties) return { ...message, [field]: kept };
    const context = isObject(message.context) ? message.context : {};
    const protocols = isObject(context.protocols) ? context.protocols : {};
    const before = Array.isArray(protocols.omitted) ? protocols.omitted : [];
    return { ...message, [field]: kept, context: { ...context, protocols: { ...protocols, omitted: [...before, ...paths] } } };
  }

  /** Applies the enforcement table to what was found: the strongest action decides the result. */
  private judge(found: readonly Violation[], sent: CheckedMessage, omitted: string[] | undefined, about: { scope: string; name: string | undefined; messageId: unknown }): CheckResult {
    const violations: Violation[] = [];
    let action: ViolationAction = 'ignore';
    for (const violation of found) {
      const decided = decideAction(violation.type, this.settings);
      if (decided === 'ignore') {
        if (violation.type === 'Unplanned-Event') this.tally.allowedUnplannedEvents += 1;
        continue;
      }
      action = strongest(action, decided);
      this.byType[violation.type] += 1;
      if (violations.length < MAX_VIOLATIONS_PER_MESSAGE) violations.push(violation);
    }
    if (violations.length === 0) {
      this.tally.sent += 1;
      return { kind: 'send', message: sent, violations: NO_VIOLATIONS, report: undefined };
    }
    const messageId = typeof about.messageId === 'string' ? about.messageId : undefined;
    const outcome: PlanOutcome = action === 'drop' || action === 'reject' ? 'dropped' : omitted === undefined ? 'sent' : 'sent-with-omissions';
    const report = new PlanViolationError({
      violations,
      messageId,
      eventType: about.scope,
      eventName: about.name,
      planId: this.plan.id,
      planVersion: this.plan.version,
      outcome,
    });
    if (action === 'reject') {
      this.tally.rejected += 1;
      const first = violations.find((violation) => decideAction(violation.type, this.settings) === 'reject') ?? violations[0]!;
      const subject = `${about.scope}${about.name === undefined ? '' : ` ${JSON.stringify(about.name)}`}`;
      const list = violations.map((violation) => `[${violation.type}] ${violation.description}`).join('; ');
      return { kind: 'reject', violations, report, error: new ValidationError('MR_ERR_PLAN_VIOLATION', first.field, `${subject} breaks the tracking plan: ${list}`) };
    }
    if (action === 'drop') {
      this.tally.dropped += 1;
      return { kind: 'drop', violations, report };
    }
    this.tally.sent += 1;
    return { kind: 'send', message: sent, violations, report };
  }
}

/** Names of `data` that neither description lists; undefined when there are none or nothing is described. */
function unplannedNames(data: unknown, ruleField: DescribedField | undefined, commonField: DescribedField | undefined): string[] | undefined {
  if ((ruleField === undefined && commonField === undefined) || !isObject(data)) return undefined;
  let unplanned: string[] | undefined;
  const names = Object.keys(data);
  for (let index = 0; index < names.length; index += 1) {
    const key = names[index]!;
    if (ruleField?.names.has(key) === true || commonField?.names.has(key) === true) continue;
    (unplanned ??= []).push(key);
  }
  return unplanned;
}

/** Runs one rule's validator; returns `into` with what it found added (a new list when `into` was none). */
function validateInto(compiled: CompiledRule, message: CheckedMessage, into: Violation[] | undefined): Violation[] | undefined {
  const validate: ValidateFunction = compiled.validate;
  try {
    if (validate(message)) return into;
  } catch (error) {
    const reason = error instanceof RangeError ? 'is nested too deeply to be validated' : `could not be validated (${(error as Error).message})`;
    const found = into ?? [];
    found.push({ type: 'Invalid-Value', field: '(message)', description: `the message ${reason} (rule ${compiled.rule.label})`, rule: compiled.rule.label });
    return found;
  }
  const found = into ?? [];
  violationsOf(validate.errors ?? [], message, compiled.rule.label, found);
  return found;
}
