/**
 * Every helper's options and report types are package exports, and every helper's declared return
 * type is that named report (issue #21: "export the option and report types of every helper"; the
 * sources' method types are derived from the registry, so an inferred, inline return type would make
 * them circular and unreadable on hover).
 *
 * Read from what users get: the built declarations (dist/index.d.ts and the files it re-exports,
 * written by `tsc -p tsconfig.json`, which scripts/test.mjs runs first), through the TypeScript
 * compiler's own checker. Expected names come from the registry's keys (src/helpers.ts, read through src/registry.ts helperNames) by
 * one naming rule, not from the code under test: helper `queryPatterns` -> `QueryPatternsOptions`
 * and `QueryPatternsReport` (first letter upper-cased, then "Options" / "Report").
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import "../src/helpers";
import { helperNames } from "../src/registry";
import { ROOT } from "./support";

const INDEX = path.join(ROOT, "dist/index.d.ts");
const names = helperNames();
const typeName = (helper: string, kind: "Options" | "Report") => `${helper[0].toUpperCase()}${helper.slice(1)}${kind}`;

let built: { checker: ts.TypeChecker; exports: Map<string, ts.Symbol> } | undefined;

/** The checker over dist/index.d.ts and the exports of that module, by name (one program for every test). */
function declarations(): { checker: ts.TypeChecker; exports: Map<string, ts.Symbol> } {
  built ??= load();
  return built;
}

function load(): { checker: ts.TypeChecker; exports: Map<string, ts.Symbol> } {
  assert.ok(fs.existsSync(INDEX), `${INDEX} exists (run through scripts/test.mjs, which builds first)`);
  const program = ts.createProgram([INDEX], { strict: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(INDEX);
  assert.ok(file, "dist/index.d.ts is in the program");
  const moduleSymbol = checker.getSymbolAtLocation(file);
  assert.ok(moduleSymbol, "dist/index.d.ts is a module");
  const exports = new Map(checker.getExportsOfModule(moduleSymbol).map((s) => [s.getName(), s] as const));
  return { checker, exports };
}

/** An export followed through `export { x } from "..."` to its declaration. */
function resolved(checker: ts.TypeChecker, s: ts.Symbol): ts.Symbol {
  return s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

/** The type a type-only export names (interface or type alias). */
function declaredType(checker: ts.TypeChecker, s: ts.Symbol): ts.Type {
  return checker.getDeclaredTypeOfSymbol(resolved(checker, s));
}

/** Whether two types are the same for a user: each assignable to the other. */
function same(checker: ts.TypeChecker, a: ts.Type, b: ts.Type): boolean {
  return checker.isTypeAssignableTo(a, b) && checker.isTypeAssignableTo(b, a);
}

test("every helper in the registry exports <Helper>Options and <Helper>Report as types", () => {
  const { checker, exports } = declarations();
  assert.ok(names.length >= 16, `the registry lists the helpers (${names.join(", ")})`);
  const missing: string[] = [];
  for (const n of names) {
    for (const kind of ["Options", "Report"] as const) {
      const s = exports.get(typeName(n, kind));
      if (!s) {
        missing.push(typeName(n, kind));
        continue;
      }
      const target = resolved(checker, s);
      assert.ok(target.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias), `${typeName(n, kind)} is an interface or type alias`);
    }
  }
  assert.deepEqual(missing, [], "every helper's options and report types are exported from the package");
});

/**
 * The function a registry entry exports: each entry is `export const x = helper("x", run, ...)`
 * (src/helpers.ts), whose declared type is `typeof run`; the function is the declaration of that
 * type's call signature (the gather function in src/analyze/, or health's in src/helpers.ts).
 */
function gatherFunction(checker: ts.TypeChecker, exported: ts.Symbol): ts.FunctionDeclaration | undefined {
  const sym = resolved(checker, exported);
  const direct = (sym.declarations ?? []).find(ts.isFunctionDeclaration);
  if (direct) return direct;
  const at = sym.valueDeclaration;
  if (!at) return undefined;
  const [signature] = checker.getTypeOfSymbolAtLocation(sym, at).getCallSignatures();
  const d = signature?.getDeclaration();
  return d && ts.isFunctionDeclaration(d) ? d : undefined;
}

test("every helper declares its return type as Promise<named report>, the same type as its <Helper>Report", () => {
  const { checker, exports } = declarations();
  for (const n of names) {
    const fn = exports.get(n);
    assert.ok(fn, `${n} is exported`);
    const decl = gatherFunction(checker, fn);
    assert.ok(decl, `${n} is the registry's entry for a declared gather function`);
    const where = `${path.relative(ROOT, decl.getSourceFile().fileName)}: ${n}()`;
    // Syntax: `Promise<Name>` — not inferred (tsc then writes an import("...") type, an intersection or a literal).
    const ret = decl.type;
    assert.ok(ret && ts.isTypeReferenceNode(ret) && ret.typeName.getText() === "Promise", `${where} declares Promise<...>; got ${ret?.getText() ?? "none"}`);
    const arg = ret.typeArguments?.[0];
    assert.ok(
      arg && ts.isTypeReferenceNode(arg) && !arg.typeArguments && /Report$/.test(arg.typeName.getText()),
      `${where} returns a named report type (XReport), not an inline or computed one; got Promise<${arg?.getText()}>`,
    );
    // Written, not inferred: the source declaration (src/ beside dist/) carries the annotation, so the
    // registry's method types (SourceHelpers) never depend on inference through the registry.
    const srcFile = decl
      .getSourceFile()
      .fileName.replace(`${path.sep}dist${path.sep}`, `${path.sep}src${path.sep}`)
      .replace(/\.d\.ts$/, ".ts");
    const src = ts.createSourceFile(srcFile, fs.readFileSync(srcFile, "utf8"), ts.ScriptTarget.ES2022, true);
    const fnName = decl.name?.text;
    const written = src.statements.find((st): st is ts.FunctionDeclaration => ts.isFunctionDeclaration(st) && st.name?.text === fnName);
    assert.ok(written, `${path.relative(ROOT, srcFile)} declares function ${fnName}`);
    assert.equal(written.type?.getText(), ret.getText(), `${path.relative(ROOT, srcFile)}: ${n}() writes its return type ${ret.getText()}`);
    // Meaning: that name is the helper's exported report type (GcReport and its alias GcStatsReport are one type).
    const report = exports.get(typeName(n, "Report"));
    assert.ok(report, `${typeName(n, "Report")} is exported`);
    assert.ok(
      same(checker, checker.getTypeFromTypeNode(arg), declaredType(checker, report)),
      `${where} returns ${arg.getText()}, which is ${typeName(n, "Report")}`,
    );
  }
});

test("every helper's options parameter is its exported <Helper>Options", () => {
  const { checker, exports } = declarations();
  for (const n of names) {
    const decl = gatherFunction(checker, exports.get(n)!)!;
    // The calling rule helper(subject?, { source, ...options }): the last parameter is the options object.
    const last = decl.parameters.at(-1);
    assert.ok(last?.type, `${n}() has a typed options parameter`);
    const options = exports.get(typeName(n, "Options"));
    assert.ok(options, `${typeName(n, "Options")} is exported`);
    const param = checker.getNonNullableType(checker.getTypeFromTypeNode(last.type));
    assert.ok(same(checker, param, declaredType(checker, options)), `${n}()'s options parameter (${last.type.getText()}) is ${typeName(n, "Options")}`);
  }
});

/**
 * Type-checks `code` as a notebook cell would see the package (an in-memory file importing
 * dist/index.d.ts); returns the compiler's error messages.
 */
function typeErrors(code: string): string[] {
  const file = path.join(ROOT, "dist", "__helper_types_check__.ts");
  const text = `import type * as C from "./index";\n${code}\n`;
  const options: ts.CompilerOptions = {
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program, program.getSourceFile(file)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

// Frames, columns and summary fields from each helper's documentation (README "What each helper does", the JSDoc of its gather function).
const TYPED: [report: string, frame: string, column: string, columnType: string, summaryField: string, summaryType: string][] = [
  ["JvmReport", "heap", "heap_after_mb", "number", "heap_max_mb", "number | null"],
  ["CachesReport", "caches", "hit_rate", "number | null", "worst_key_cache_hit_rate", "number | null"],
  ["InventoryReport", "capabilities", "answerable", "boolean", "versions", "string | null"],
  ["QueryPatternsReport", "patterns", "pattern", "string", "top_pattern", "string | null"],
  ["HistogramsReport", "histograms", "percentile", "string", "nodes", "number"],
  ["ConnectionsReport", "clients", "protocol_version", "number | null", "open_connections", "number | undefined"],
  ["PartitionScanReport", "partitions", "key", "string", "max_rows", "number | null | undefined"],
];

test("the named reports type rows(frame) and the summary fields, as a notebook cell sees them", () => {
  const cells = TYPED.map(
    ([report, frame, column, columnType, field, fieldType], i) =>
      `declare const r${i}: C.${report};\n` +
      `const c${i}: ${columnType} = r${i}.rows("${frame}")[0].${column};\n` +
      `const s${i}: ${fieldType} = r${i}.summary.${field};\n` +
      `const d${i}: import("danfojs-node").DataFrame = r${i}.${frame};`,
  );
  assert.deepEqual(typeErrors(cells.join("\n")), [], "each report's rows, summary field and frame property have the documented types");
  // And the types can fail: a column that does not exist, a frame the report does not have, a wrong summary type.
  const wrong = [
    `declare const j: C.JvmReport; const x = j.rows("heap")[0].no_such_column;`,
    `declare const k: C.CachesReport; k.rows("no_such_frame");`,
    `declare const q: C.QueryPatternsReport; const y: number = q.summary.top_pattern;`,
  ];
  for (const w of wrong) assert.equal(typeErrors(w).length, 1, `one type error in: ${w}`);
});
