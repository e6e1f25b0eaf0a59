// The package's API surface two ways — as index.d.ts declares it (read with the TypeScript
// compiler's type checker, so merged interfaces and inherited members count) and as the loaded
// module really has it — and the differences between the two. A surface maps each exported value
// to { kind: "function" } or { kind: "class", static: {name: kind}, instance: {name: kind} },
// member kinds being "method" or "getter" (a declared readonly property is a getter at run time).
import ts from "typescript";

const HOST_LIBS = ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"]; // Node >= 20 has Symbol.dispose

/** `__@dispose@123` (a well-known symbol key) -> `Symbol.dispose`; other names unchanged. */
function memberName(symbol) {
  const name = String(symbol.escapedName);
  const m = /^__@(\w+)@\d+$/.exec(name);
  return m ? `Symbol.${m[1]}` : name;
}

function isPublic(symbol) {
  const flags = (symbol.declarations ?? []).map((d) => ts.getCombinedModifierFlags(d));
  return !flags.some((f) => f & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected));
}

function members(checker, type, skip) {
  const out = {};
  for (const p of checker.getPropertiesOfType(type)) {
    const name = memberName(p);
    if (skip.includes(name) || !isPublic(p)) continue;
    const callable = p.flags & ts.SymbolFlags.Method || checker.getTypeOfSymbol(p).getCallSignatures().length > 0;
    out[name] = callable ? "method" : "getter";
  }
  return out;
}

/** A TypeScript program of one .d.ts given as text (under `fileName`), with the host's libs. */
export function dtsProgram(dtsText, fileName) {
  const options = { target: ts.ScriptTarget.ES2022, lib: HOST_LIBS, types: [], noEmit: true, strict: true };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host), getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? dtsText : readFile(f));
  host.fileExists = ((exists) => (f) => f === fileName || exists(f))(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, ...rest) =>
    f === fileName ? ts.createSourceFile(f, dtsText, lang, true) : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([fileName], options, host);
  return program;
}

/** The surface index.d.ts (its source text) declares. Throws on syntax errors in it. */
export function declaredSurface(dtsText, fileName = "/regulars/index.d.ts") {
  const program = dtsProgram(dtsText, fileName);
  const syntax = program.getSyntacticDiagnostics();
  if (syntax.length) throw new Error(`index.d.ts does not parse: ${ts.flattenDiagnosticMessageText(syntax[0].messageText, "\n")}`);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(fileName));
  const surface = {};
  for (const exp of checker.getExportsOfModule(moduleSymbol)) {
    const name = memberName(exp);
    if (exp.flags & ts.SymbolFlags.Class) {
      surface[name] = {
        kind: "class",
        static: members(checker, checker.getTypeOfSymbol(exp), ["prototype"]),
        instance: members(checker, checker.getDeclaredTypeOfSymbol(exp), []),
      };
    } else if (exp.flags & ts.SymbolFlags.Function) {
      surface[name] = { kind: "function" };
    } else if (exp.flags & ts.SymbolFlags.Value) {
      surface[name] = { kind: "value" };
    } // interfaces and type aliases have nothing at run time
  }
  return surface;
}

/** Names starting with `__` are wasm-bindgen's and the glue's internals (`__wrap`, `__rankPacked`). */
const internal = (name) => name.startsWith("__");

function runtimeMembers(object, skip) {
  const out = {};
  const keys = [...Object.getOwnPropertyNames(object), ...Object.getOwnPropertySymbols(object)];
  for (const key of keys) {
    const name = typeof key === "symbol"
      ? (key === Symbol.dispose ? "Symbol.dispose" : key === Symbol.asyncDispose ? "Symbol.asyncDispose" : String(key))
      : key;
    if (skip.includes(name) || internal(name)) continue;
    const d = Object.getOwnPropertyDescriptor(object, key);
    out[name] = d.get ? "getter" : typeof d.value === "function" ? "method" : "value";
  }
  return out;
}

/** The surface a loaded module namespace really has. */
export function runtimeSurface(namespace) {
  const surface = {};
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value))) {
      surface[name] = {
        kind: "class",
        static: runtimeMembers(value, ["length", "name", "prototype"]),
        instance: runtimeMembers(value.prototype, ["constructor"]),
      };
    } else {
      surface[name] = { kind: typeof value === "function" ? "function" : "value" };
    }
  }
  return surface;
}

/** Every difference, as sentences: an empty list means the types match the module. */
export function compareSurfaces(declared, runtime) {
  const problems = [];
  for (const name of Object.keys(runtime)) {
    if (!(name in declared)) problems.push(`${name}: exported by the module, not declared in index.d.ts`);
  }
  for (const [name, d] of Object.entries(declared)) {
    const r = runtime[name];
    if (!r) { problems.push(`${name}: declared in index.d.ts, not exported by the module`); continue; }
    if (d.kind !== r.kind) { problems.push(`${name}: declared as a ${d.kind}, exported as a ${r.kind}`); continue; }
    if (d.kind !== "class") continue;
    for (const side of ["static", "instance"]) {
      const label = (m) => (side === "static" ? `${name}.${m}` : `${name}#${m}`);
      for (const [m, kind] of Object.entries(r[side])) {
        if (!(m in d[side])) problems.push(`${label(m)}: a ${kind} of the module, not declared in index.d.ts`);
        else if (d[side][m] !== kind) problems.push(`${label(m)}: declared as a ${d[side][m]}, is a ${kind} in the module`);
      }
      for (const m of Object.keys(d[side])) {
        if (!(m in r[side])) problems.push(`${label(m)}: declared in index.d.ts, missing from the module`);
      }
    }
  }
  return problems;
}
