// The options objects a .d.ts declares, read with the TypeScript compiler API: for every exported
// function, class constructor and method (static and instance), each parameter named `options`,
// `columns` or `mapping` (the package's names for a bag of named settings), with the keys its
// type declares and those of the settings objects nested in it (`offers[0]`, `offers[0].eligible`).
// The options test compares these with the keys the module accepts, so the types and the Rust
// cannot drift apart.
import ts from "typescript";
import { dtsProgram } from "../types/surface.mjs";

const OPTION_PARAMETERS = ["options", "columns", "mapping"];

/**
 * `[{ call, parameter, position, path, keys }]`: `call` is `"Class.method"`, `"new Class"` or
 * `"fn"`; `position` the parameter's index; `path` `""` for the parameter itself, else e.g.
 * `".offers[0].eligible"`; `keys` the declared property names, in declaration order.
 */
export function declaredOptions(dtsText, fileName = "/regulars/index.d.ts") {
  const program = dtsProgram(dtsText, fileName);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(fileName);
  const ownType = (type) => (type.getSymbol()?.declarations ?? []).some((d) => d.getSourceFile() === source);
  const isCallable = (type) => type.getCallSignatures().length > 0;
  const keysOf = (type) => checker.getPropertiesOfType(type).map((p) => String(p.escapedName));

  const out = [];
  /** The settings objects nested in `type`: properties whose type is one of the file's own object types, or an array of one. */
  function addNested(base, type, path) {
    for (const p of checker.getPropertiesOfType(type)) {
      let t = checker.getNonNullableType(checker.getTypeOfSymbol(p));
      let step = `.${String(p.escapedName)}`;
      if (checker.isArrayType(t)) {
        t = checker.getTypeArguments(t)[0];
        step += "[0]";
      }
      if (!(t.flags & ts.TypeFlags.Object) || isCallable(t) || !ownType(t)) continue;
      out.push({ ...base, path: path + step, keys: keysOf(t) });
      addNested(base, t, path + step);
    }
  }
  function addSignatures(call, signatures) {
    for (const signature of signatures) {
      signature.getParameters().forEach((p, position) => {
        if (!OPTION_PARAMETERS.includes(p.name)) return;
        const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration));
        const base = { call, parameter: p.name, position };
        out.push({ ...base, path: "", keys: keysOf(type) });
        addNested(base, type, "");
      });
    }
  }
  for (const exp of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
    const name = String(exp.escapedName);
    const type = checker.getTypeOfSymbol(exp);
    if (exp.flags & ts.SymbolFlags.Class) {
      addSignatures(`new ${name}`, type.getConstructSignatures());
      for (const [members, skip] of [[type, ["prototype"]], [checker.getDeclaredTypeOfSymbol(exp), []]]) {
        for (const m of checker.getPropertiesOfType(members)) {
          if (skip.includes(m.name)) continue;
          addSignatures(`${name}.${m.name}`, checker.getTypeOfSymbol(m).getCallSignatures());
        }
      }
    } else if (exp.flags & ts.SymbolFlags.Function) {
      addSignatures(name, type.getCallSignatures());
    }
  }
  return out;
}
