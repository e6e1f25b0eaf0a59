// Type tests where the lib has Symbol.dispose: the package's objects work with `using`.
import { Transactions, OfferRanker, OfferSimulator } from "regulars";

export function scoped(): number {
  using tx = Transactions.fromColumns({ customer: ["a", "b"], time: [0, 86_400_000] });
  using sim = new OfferSimulator({ seed: 1 });
  using ranker = new OfferRanker(sim.rankerOptions(2));
  const dispose: () => void = tx[Symbol.dispose];
  dispose.call(tx);
  return tx.length + ranker.rewardsSeen;
}
