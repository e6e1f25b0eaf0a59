// workerd smoke worker: the package imported by its bare name, used with no init call.
import { Transactions } from "regulars";

export default {
  async fetch() {
    const day = 86400000;
    const tx = Transactions.fromColumns({ customer: ["ann", "ann", "bob"], time: [0, 4 * day, day], amount: [10, 20, 5] });
    const s = tx.summary();
    const body = { customers: tx.customerCount, ids: s.customers, frequency: Array.from(s.frequency), T: Array.from(s.T) };
    let error = null;
    try { Transactions.fromColumns({ customer: ["a"], time: ["x"] }); } catch (e) { error = e.message; }
    return Response.json({ ...body, error });
  },
};
