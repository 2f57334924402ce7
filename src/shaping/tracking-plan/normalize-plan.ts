import { ConfigurationError, readThrown } from '../../errors/metarouter-error.js';
import { LIMITS } from '../../config/defaults.js';
import type { JsonSchema } from './plan-source.js';
import { builtinModule } from '../../runtime/host-process.js';
import { nodeOnly } from '../../runtime/node-only.js';

/** What a rule applies to: one call type, or `common` for every call. */
export type RuleScope = 'track' | 'identify' | 'group' | 'page' | 'screen' | 'common';

/** A rule in one form, whichever shape the plan came in. */
export interface PlanRule {
  readonly scope: RuleScope;
  /** Event name (track) or page/screen name; undefined for a rule that covers every call of its scope. */
  readonly key: string | undefined;
  readonly version: number | undefined;
  readonly schema: JsonSchema;
  /** How errors and reports name the rule, e.g. `TRACK "Order Completed" v2 (rules[3])`. */
  readonly label: string;
}

/** A plan read and checked for shape, before any schema is compiled. */
export interface NormalizedPlan {
  readonly id: string | undefined;
  readonly version: number | undefined;
  readonly rules: readonly PlanRule[];
}

const SCOPES: Readonly<Record<string, RuleScope>> = {
  TRACK: 'track',
  IDENTIFY: 'identify',
  GROUP: 'group',
  PAGE: 'page',
  SCREEN: 'screen',
  COMMON: 'common',
};

const OPTION = 'trackingPlan';

function invalid(problem: string, cause?: unknown): ConfigurationError {
  return new ConfigurationError(OPTION, `${OPTION} is invalid: ${problem}`, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'boolean' || isObject(value);
}

function labelOf(scope: RuleScope, key: string | undefined, version: number | undefined, where: string): string {
  return `${scope.toUpperCase()}${key === undefined ? '' : ` ${JSON.stringify(key)}`}${version === undefined ? '' : ` v${version}`} (${where})`;
}

function optionalVersion(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`${where}.version must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value;
}

function optionalKey(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${where}.key must be a string, got ${typeof value}`);
  return value;
}

function rulesListRule(raw: unknown, index: number): PlanRule {
  const where = `rules[${index}]`;
  if (!isObject(raw)) throw invalid(`${where} must be an object { key, type, version, jsonSchema }`);
  const scope = typeof raw.type === 'string' ? SCOPES[raw.type.toUpperCase()] : undefined;
  if (scope === undefined) throw invalid(`${where}.type must be one of ${Object.keys(SCOPES).join(', ')}, got ${JSON.stringify(raw.type)}`);
  const key = optionalKey(raw.key, where);
  const version = optionalVersion(raw.version, where);
  const label = labelOf(scope, key, version, where);
  if (scope === 'track' && key === undefined) throw invalid(`rule ${label} has no key: a TRACK rule names its event`);
  if (!isSchema(raw.jsonSchema)) throw invalid(`rule ${label} has no jsonSchema object`);
  return { scope, key: scope === 'identify' || scope === 'group' || scope === 'common' ? undefined : key, version, schema: raw.jsonSchema, label };
}

function legacyRules(rules: Record<string, unknown>): PlanRule[] {
  const out: PlanRule[] = [];
  for (const [field, scope] of [['global', 'common'], ['identify', 'identify'], ['group', 'group']] as const) {
    const schema = rules[field];
    if (schema === undefined || schema === null) continue;
    if (!isSchema(schema)) throw invalid(`rules.${field} must be a JSON Schema object`);
    out.push({ scope, key: undefined, version: undefined, schema, label: labelOf(scope, undefined, undefined, `rules.${field}`) });
  }
  const events = rules.events ?? [];
  if (!Array.isArray(events)) throw invalid('rules.events must be an array of { name, version, rules }');
  events.forEach((event: unknown, index) => {
    const where = `rules.events[${index}]`;
    if (!isObject(event) || typeof event.name !== 'string' || event.name === '') throw invalid(`${where} must be an object with a non-empty name`);
    const version = optionalVersion(event.version, where);
    const label = labelOf('track', event.name, version, where);
    if (!isSchema(event.rules)) throw invalid(`rule ${label} has no rules object (its JSON Schema)`);
    out.push({ scope: 'track', key: event.name, version, schema: event.rules, label });
  });
  return out;
}

/** Segment's APIs wrap what they return (`{ data: { trackingPlan } }`, `{ data: { rules } }`): look inside. */
function unwrap(value: Record<string, unknown>): Record<string, unknown> {
  let current = value;
  for (let depth = 0; depth < 3 && current.rules === undefined; depth += 1) {
    const inner = isObject(current.data) ? current.data : isObject(current.trackingPlan) ? current.trackingPlan : undefined;
    if (inner === undefined) break;
    current = inner;
  }
  return current;
}

function readPlanFile(path: string): unknown {
  const fs = builtinModule<typeof import('node:fs')>('node:fs');
  if (fs === undefined) throw invalid(nodeOnly(`reading a plan file (${JSON.stringify(path)})`));
  let text: string;
  try {
    const { size } = fs.statSync(path);
    if (size > LIMITS.maxPlanBytes) throw invalid(`the file ${JSON.stringify(path)} is ${size} bytes, over the ${LIMITS.maxPlanBytes} bytes a plan may have`);
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw invalid(`the file ${JSON.stringify(path)} could not be read (${(error as NodeJS.ErrnoException).code ?? readThrown(error).text})`, error);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`the file ${JSON.stringify(path)} is not JSON (${(error as Error).message})`, error);
  }
}

/**
 * The plan object itself: read from its file when `source` is a path, and taken out of the
 * wrappers Segment's APIs put around it. Throws `ConfigurationError` when it is not an object.
 */
export function readPlanSource(source: unknown): Record<string, unknown> {
  const raw = typeof source === 'string' ? readPlanFile(source) : source;
  if (!isObject(raw)) throw invalid(`expected a Segment tracking plan object or the path of its JSON file, actual ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  return unwrap(raw);
}

/**
 * Reads a plan (an object, or the path of a JSON file) in either Segment shape into one list of
 * rules. Throws `ConfigurationError` naming the rule and the problem; compiles nothing.
 */
export function normalizePlan(source: unknown): NormalizedPlan {
  const plan = readPlanSource(source);
  const rules = Array.isArray(plan.rules) ? plan.rules.map(rulesListRule) : isObject(plan.rules) ? legacyRules(plan.rules) : undefined;
  if (rules === undefined) throw invalid('expected a "rules" list ({ key, type, version, jsonSchema }) or object ({ global, events, identify, group }), found none');
  const id = typeof plan.id === 'string' ? plan.id : typeof plan.name === 'string' ? plan.name : undefined;
  return { id, version: optionalVersion(plan.version, 'plan'), rules };
}

/**
 * Runs `read` over a plan the caller handed in: a plan object with a throwing getter, or a Proxy,
 * becomes a `ConfigurationError` rather than a raw exception.
 */
export function readingPlan<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const { text, cause } = readThrown(error);
    throw invalid(`it could not be read (${text})`, cause);
  }
}
