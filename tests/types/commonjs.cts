// Type tests for a CommonJS TypeScript file (.cts): with module nodenext, TypeScript (5.8+)
// knows Node can require() the package's ES modules, as Node >= 20.19 does. Written in the
// CommonJS forms verbatimModuleSyntax asks for (import = require, export =).
import regulars = require("regulars");

const { ChurnModel, Transactions } = regulars;
const tx = Transactions.fromColumns({ customer: ["a", "a"], time: [0, 86_400_000] });
const risk: Float64Array = ChurnModel.fit(tx).score(tx).risk;
const model: regulars.ChurnModel = ChurnModel.fromBytes(ChurnModel.fit(tx).toBytes());
// @ts-expect-error the namespace has no such export
void regulars.Transaction;
export = { risk, model };
