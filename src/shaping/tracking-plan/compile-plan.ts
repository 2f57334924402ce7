import type { default as Ajv, ValidateFunction } from 'ajv';
import { ConfigurationError } from '../../errors/metarouter-error.js';
import type { NormalizedPlan, PlanRule, RuleScope } from './normalize-plan.js';
import type { PlannedField } from './plan-enforcer.js';
import { safeRegExp } from './safe-regexp.js';
import { nodeOnly } from '../../runtime/node-only.js';
import { ajvModules } from './ajv-source.js';

/** How deeply a rule's schema may nest; deeper is refused, which bounds compilation. */
const MAX_SCHEMA_DEPTH = 32;

/** What a rule's schema says about one of the call's objects. */
export interface DescribedField {
  /** The names it declares. */
  readonly names: ReadonlySet<string>;
  /** It forbids other names itself (`additionalProperties: false`), so the validator reports them. */
  readonly closed: boolean;
}

/** A rule with its schema compiled. */
export interface CompiledRule {
  readonly rule: PlanRule;
  readonly validate: ValidateFunction;
  /**
   * The names the schema lists under `properties.properties` and `properties.traits`, where it
   * lists them plainly; a field it describes otherwise (no `properties`, a `$ref`, `anyOf`, …) has
   * no entry, and no name in it is called unplanned.
   */
  readonly described: Readonly<Partial<Record<PlannedField, DescribedField>>>;
}

/** The versions of one rule; `latest` is the highest. */
export interface RuleVersions {
  readonly latest: CompiledRule;
  readonly byVersion: ReadonlyMap<number, CompiledRule>;
}

/** A plan ready to check messages: each rule compiled once, found by call type and key. */
export interface CompiledPlan {
  readonly id: string | undefined;
  readonly version: number | undefined;
  readonly common: CompiledRule | undefined;
  /** Rules with a key: track events by name, pages and screens by name. */
  readonly keyed: ReadonlyMap<RuleScope, ReadonlyMap<string, RuleVersions>>;
  /** Rules without a key: identify, group, and pages/screens of any name. */
  readonly unkeyed: ReadonlyMap<RuleScope, RuleVersions>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refused(rule: PlanRule, problem: string, cause?: unknown): ConfigurationError {
  return new ConfigurationError('trackingPlan', `trackingPlan is invalid: rule ${rule.label} ${problem}`, cause === undefined ? undefined : { cause });
}

/** The longest array whose items may be compared pairwise (`uniqueItems` over objects or arrays). */
const MAX_UNIQUE_ITEMS = 100;
const SCALAR_TYPES: ReadonlySet<unknown> = new Set(['string', 'number', 'integer', 'boolean', 'null']);

/**
 * `uniqueItems` compares every pair of items unless they are scalars: over a 32 KB message that is
 * millions of deep comparisons (half a second), so it needs scalar items or a small `maxItems`.
 */
function quadraticUniqueItems(node: Record<string, unknown>): boolean {
  if (node.uniqueItems !== true) return false;
  const items = node.items;
  const scalar = isObject(items) && (SCALAR_TYPES.has(items.type) || (Array.isArray(items.type) && items.type.every((type) => SCALAR_TYPES.has(type))));
  const bounded = typeof node.maxItems === 'number' && node.maxItems <= MAX_UNIQUE_ITEMS;
  return !scalar && !bounded;
}

const UNCHECKABLE = 'the validator skips a property of that name, so the rule would not be enforced';

/**
 * Refuses what Ajv would accept but must not run here: a `$ref` outside the rule, runaway nesting,
 * `uniqueItems` of quadratic cost, and a `__proto__` name Ajv would skip.
 */
function inspectSchema(rule: PlanRule, value: unknown, path: string, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_SCHEMA_DEPTH) throw refused(rule, `nests deeper than ${MAX_SCHEMA_DEPTH} levels at ${path}`);
  if (isObject(value) && quadraticUniqueItems(value)) {
    throw refused(rule, `has uniqueItems at ${path} over items that are not scalars: give the items a scalar type or set maxItems (at most ${MAX_UNIQUE_ITEMS}), so checking stays cheap`);
  }
  // Ajv skips a property named `__proto__` (it guards its own objects), so a rule about it would not be enforced.
  if (isObject(value) && Array.isArray(value.required) && value.required.includes('__proto__')) throw refused(rule, `names "__proto__" at ${path}/required: ${UNCHECKABLE}`);
  for (const [key, inner] of Object.entries(value)) {
    if (key === '__proto__') throw refused(rule, `names "__proto__" at ${path}: ${UNCHECKABLE}`);
    if (key === '$ref' && typeof inner === 'string' && !inner.startsWith('#')) {
      throw refused(rule, `has a $ref to ${JSON.stringify(inner)} at ${path}: only references inside the rule ("#/…") are allowed (no schema is fetched at run time)`);
    }
    inspectSchema(rule, inner, `${path}/${key}`, depth + 1);
  }
}

/** Keywords that can admit names `properties` does not list: with one of them, the names are not known. */
const OPEN_KEYWORDS = ['$ref', 'allOf', 'anyOf', 'oneOf', 'if', 'patternProperties', 'dependencies'] as const;

function describe(schema: unknown, field: PlannedField): DescribedField | undefined {
  const sub = isObject(schema) && isObject(schema.properties) ? schema.properties[field] : undefined;
  if (!isObject(sub) || !isObject(sub.properties) || OPEN_KEYWORDS.some((keyword) => keyword in sub)) return undefined;
  return { names: new Set(Object.keys(sub.properties)), closed: sub.additionalProperties === false };
}

/**
 * Ajv and its formats are loaded with the first plan, not with the package: most apps have none,
 * and the two take about 20 ms to load, at every cold start. The Node entry provides them: Ajv
 * compiles a schema into generated code, which Cloudflare Workers and Vercel Edge refuse to run.
 */
function newAjv(): Ajv {
  const modules = ajvModules();
  if (modules === undefined) throw new ConfigurationError('trackingPlan', nodeOnly('`trackingPlan` (Ajv compiles it to generated code, which Workers and Edge do not run)'));
  const { Ajv: AjvClass, addFormats } = modules;
  const ajv = new AjvClass({
    // Every violation of a message is reported, not only the first.
    allErrors: true,
    // Plans exported from Segment carry keywords Ajv's strict mode refuses (`id`, `labels`, …).
    strict: false,
    // Ajv would otherwise warn through the console.
    logger: false,
    // Rules may share an `$id`; each is compiled alone, none is registered.
    addUsedSchema: false,
    allowUnionTypes: true,
    code: { regExp: safeRegExp },
  });
  addFormats(ajv);
  return ajv;
}

function compileRule(ajv: Ajv, rule: PlanRule): CompiledRule {
  inspectSchema(rule, rule.schema, '#', 0);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(rule.schema);
  } catch (error) {
    const reason = error instanceof RangeError ? 'is too deeply recursive to compile' : `is not a valid JSON Schema (draft-07): ${(error as Error).message}`;
    throw refused(rule, reason, error);
  }
  const described: Partial<Record<PlannedField, DescribedField>> = {};
  for (const field of ['properties', 'traits'] as const) {
    const found = describe(rule.schema, field);
    if (found !== undefined) described[field] = found;
  }
  return { rule, validate, described };
}

function addVersion(versions: RuleVersions | undefined, compiled: CompiledRule): RuleVersions {
  const byVersion = new Map(versions?.byVersion);
  const version = compiled.rule.version ?? 0;
  if (byVersion.has(version)) throw refused(compiled.rule, 'is defined twice (same type, key and version)');
  byVersion.set(version, compiled);
  const latest = versions === undefined || version > (versions.latest.rule.version ?? 0) ? compiled : versions.latest;
  return { latest, byVersion };
}

/**
 * Compiles every rule of a plan once, with one Ajv instance (draft-07, formats, no remote
 * references, hazardous patterns refused). Throws `ConfigurationError` naming the first rule that
 * cannot be compiled and why.
 */
export function compilePlan(plan: NormalizedPlan): CompiledPlan {
  const ajv = newAjv();
  let common: CompiledRule | undefined;
  const keyed = new Map<RuleScope, Map<string, RuleVersions>>();
  const unkeyed = new Map<RuleScope, RuleVersions>();
  for (const rule of plan.rules) {
    const compiled = compileRule(ajv, rule);
    if (rule.scope === 'common') {
      if (common !== undefined) throw refused(rule, 'is a second COMMON rule; a plan has at most one');
      common = compiled;
    } else if (rule.key === undefined) {
      unkeyed.set(rule.scope, addVersion(unkeyed.get(rule.scope), compiled));
    } else {
      const byKey = keyed.get(rule.scope) ?? new Map<string, RuleVersions>();
      byKey.set(rule.key, addVersion(byKey.get(rule.key), compiled));
      keyed.set(rule.scope, byKey);
    }
  }
  return { id: plan.id, version: plan.version, common, keyed, unkeyed };
}
