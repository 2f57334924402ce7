/**
 * TypeScript types read from a tracking plan's own value (`as const`), with no build step: the
 * call types that typed calls (`TypedAnalytics`) are made of. A type can say what a field's JSON
 * type is, which names exist, which are required, and the values of an enum or const; it cannot
 * say a pattern, a range, a length or a format (except that a `date-time` string may be given as a
 * Date): the runtime check covers those.
 */
/** Depth budget for nested schemas: deeper levels are typed `unknown`, which keeps the compiler fast. */
type Prev = [never, 0, 1, 2, 3, 4, 5, 6, 7];

type Flatten<T> = { [K in keyof T]: T[K] } & {};

type RequiredNames<S> = S extends { readonly required: readonly (infer R)[] } ? R & string : never;

type ObjectOf<S, D extends number> = S extends { readonly properties: infer P }
  ? Flatten<
      { -readonly [K in keyof P & RequiredNames<S>]: SchemaType<P[K], Prev[D]> } & {
        -readonly [K in Exclude<keyof P, RequiredNames<S>>]?: SchemaType<P[K], Prev[D]>;
      }
    >
  : Record<string, unknown>;

type ArrayOf<S, D extends number> = S extends { readonly items: infer I } ? (I extends readonly unknown[] ? unknown[] : SchemaType<I, Prev[D]>[]) : unknown[];

/**
 * A `date-time` string may be given as a Date: a call sends a Date as its ISO text, which is what
 * the plan then checks. Not for `date` or `time`: a Date's text is neither.
 */
type StringOf<S> = S extends { readonly format: 'date-time' } ? string | Date : string;

type ByTypeName<N, S, D extends number> = N extends 'string'
  ? StringOf<S>
  : N extends 'number' | 'integer'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? ArrayOf<S, D>
          : N extends 'object'
            ? ObjectOf<S, D>
            : unknown;

type AllOf<L, D extends number> = L extends readonly [infer First, ...infer Rest] ? SchemaType<First, D> & AllOf<Rest, D> : unknown;

/** The TypeScript type of the values a JSON Schema accepts, as far as a type can say. */
export type SchemaType<S, D extends number = 8> = [D] extends [never]
  ? unknown
  : S extends true
    ? unknown
    : S extends false
      ? never
      : S extends { readonly const: infer C }
        ? C
        : S extends { readonly enum: readonly (infer E)[] }
          ? E
          : S extends { readonly anyOf: readonly (infer A)[] }
            ? SchemaType<A, Prev[D]>
            : S extends { readonly oneOf: readonly (infer A)[] }
              ? SchemaType<A, Prev[D]>
              : S extends { readonly allOf: infer L }
                ? AllOf<L, Prev[D]>
                : S extends { readonly type: infer T }
                  ? T extends readonly (infer N)[]
                    ? ByTypeName<N, S, D>
                    : ByTypeName<T, S, D>
                  : S extends { readonly properties: object }
                    ? ObjectOf<S, D>
                    : unknown;

/** A plan's rules as one union of `{ type, key, jsonSchema }`, whichever Segment shape it has. */
export type PlanRules<P> = P extends { readonly rules: readonly (infer R)[] }
  ? R
  : P extends { readonly rules: infer L }
    ?
        | (L extends { readonly events: readonly (infer E)[] } ? (E extends { readonly name: infer N; readonly rules: infer S } ? { type: 'TRACK'; key: N; jsonSchema: S } : never) : never)
        | (L extends { readonly identify: infer S } ? { type: 'IDENTIFY'; jsonSchema: S } : never)
        | (L extends { readonly group: infer S } ? { type: 'GROUP'; jsonSchema: S } : never)
        | (L extends { readonly global: infer S } ? { type: 'COMMON'; jsonSchema: S } : never)
    : never;

type SchemaOfRules<R> = R extends { readonly jsonSchema: infer S } ? S : never;

/** The message schema(s) of the rules of one type (and key). Several versions give a union. */
type RuleSchema<P, T extends string, K = unknown> = SchemaOfRules<Extract<PlanRules<P>, { readonly type: T } & (unknown extends K ? unknown : { readonly key: K })>>;

/** The keys of a plan's rules of one type. */
export type PlanKeys<P, T extends string> = Extract<PlanRules<P>, { readonly type: T; readonly key: string }>['key'];

/** One object field of a call (`properties` or `traits`) as a message schema describes it; `Otherwise` when it does not. */
type FieldOf<S, F extends string, Otherwise = { [K in F]?: Record<string, unknown> }> = S extends { readonly properties: infer MP }
  ? F extends keyof MP
    ? F extends RequiredNames<S>
      ? { [K in F]: SchemaType<MP[F]> }
      : { [K in F]?: SchemaType<MP[F]> }
    : Otherwise
  : Otherwise;

/** The COMMON rule's part of a field: no constraint where it says nothing. */
type CommonOf<P, F extends string> = [RuleSchema<P, 'COMMON'>] extends [never] ? unknown : FieldOf<RuleSchema<P, 'COMMON'>, F, unknown>;

/** What the plan says about `field` for calls of `type` (and `key`); `Fallback` when no rule covers them. */
export type PlannedFields<P, T extends string, F extends string, K = unknown> = [RuleSchema<P, T, K>] extends [never]
  ? { [Key in F]?: Record<string, unknown> } & CommonOf<P, F>
  : FieldOf<RuleSchema<P, T, K>, F> & CommonOf<P, F>;

/** `properties` of a page or screen named `N`: its keyed rule, else the type's rule without a key. */
export type NamedViewFields<P, T extends 'PAGE' | 'SCREEN', N> = N extends PlanKeys<P, T>
  ? PlannedFields<P, T, 'properties', N>
  : [SchemaOfRules<Extract<PlanRules<P>, { readonly type: T; readonly key?: null | undefined }>>] extends [never]
    ? { properties?: Record<string, unknown> } & CommonOf<P, 'properties'>
    : FieldOf<SchemaOfRules<Extract<PlanRules<P>, { readonly type: T; readonly key?: null | undefined }>>, 'properties'> & CommonOf<P, 'properties'>;

