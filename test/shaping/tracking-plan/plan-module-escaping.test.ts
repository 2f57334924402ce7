import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import ts from 'typescript';
import { ConfigurationError } from '../../../src/errors/metarouter-error.js';
// The Node entry provides Ajv, which compiles the plans (the edge entry has none).
import '../../../src/index.js';
import { createPlanEnforcer } from '../../../src/shaping/tracking-plan/index.js';
import { trackingPlanModule } from '../../../src/shaping/tracking-plan/plan-module.js';

// The package as built beside this test (build/src), which the generated module imports.
const PACKAGE = resolve(__dirname, '..', '..', '..', 'src', 'index.js');
const WORK = mkdtempSync(join(tmpdir(), 'plan-module-'));
after(() => rmSync(WORK, { recursive: true, force: true }));

const injected = globalThis as { planModuleInjected?: number };

/** Generates the module for `plan`, compiles it as TypeScript would, and loads it. */
function load(plan: unknown, name: string): { plan: unknown; typed: unknown } {
  const source = trackingPlanModule(plan, { importFrom: PACKAGE });
  const { outputText, diagnostics } = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  assert.deepEqual(diagnostics?.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')), [], 'the generated module is valid TypeScript');
  const file = join(WORK, `${name}.cjs`);
  writeFileSync(file, outputText);
  return require(file) as { plan: unknown; typed: unknown };
}

const INJECTION = 'globalThis.planModuleInjected = 1; //';
const HOSTILE_TEXTS = [`a\n${INJECTION}`, `a\r${INJECTION}`, `a\u2028${INJECTION}`, `a\u2029${INJECTION}`, `a */ ${INJECTION}`, `a\\`, `a" ${INJECTION}`, "a' + `${x}`"];

test('no plan id, name or event key can leave a comment or a string of the generated module', () => {
  HOSTILE_TEXTS.forEach((text, index) => {
    const plan = { id: text, rules: [{ key: text, type: 'TRACK', jsonSchema: { properties: { properties: { type: 'object', properties: { [text]: { type: 'string' } } } } } }, { key: text, type: 'PAGE', jsonSchema: {} }] };
    const loaded = load(plan, `hostile-${index}`);
    assert.equal(injected.planModuleInjected, undefined, `text ${JSON.stringify(text)} ran as code`);
    assert.deepEqual(loaded.plan, plan, `text ${JSON.stringify(text)} changed the plan`);
    assert.equal(typeof loaded.typed, 'function');
    const named = load({ name: text, rules: [] }, `hostile-name-${index}`);
    assert.equal(injected.planModuleInjected, undefined, `name ${JSON.stringify(text)} ran as code`);
    assert.deepEqual(named.plan, { name: text, rules: [] });
  });
});

test('a `__proto__` key of the plan stays an own key in the generated module, not a prototype', () => {
  const text = '{"id":"tp","labels":{"__proto__":{"team":"growth"}},"rules":[{"key":"E","type":"TRACK","__proto__":{"owner":"x"},"jsonSchema":{"properties":{"properties":{"type":"object"}}}}]}';
  const loaded = load(JSON.parse(text), 'proto');
  assert.deepEqual(loaded.plan, JSON.parse(text));
  assert.equal(Object.getPrototypeOf((loaded.plan as { labels: object }).labels), Object.prototype);
});

test('a schema that names `__proto__` is refused, for the module as for the run-time check: the validator skips that name', () => {
  const schemas = ['{"type":"object","properties":{"__proto__":{"type":"number"}}}', '{"type":"object","required":["__proto__"]}', '{"definitions":{"__proto__":{"type":"string"}}}'];
  for (const schema of schemas) {
    const text = `{"rules":[{"key":"E","type":"TRACK","jsonSchema":{"properties":{"properties":${schema}}}}]}`;
    const file = join(WORK, 'proto-plan.json');
    writeFileSync(file, text);
    const refused = (error: unknown): boolean => error instanceof ConfigurationError && /rule TRACK "E" \(rules\[0\]\) names "__proto__" at #\/properties\/properties/.test(error.message);
    assert.throws(() => createPlanEnforcer({ trackingPlan: file }), refused, schema);
    assert.throws(() => createPlanEnforcer({ trackingPlan: JSON.parse(text) as string }), refused, schema);
    assert.throws(() => trackingPlanModule(file), refused, schema);
  }
});
