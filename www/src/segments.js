// The 11-segment RFM map, in ladder order, with the plain-language advice shown next to it
// (from the retention domain notes: remind gently, reward loyalty, ask sleepers why).
export const SEGMENTS = [
  ["Champions", "#1b7f4b", "Bought recently, often and for a lot. Reward them; early access, no discounts needed."],
  ["Loyal Customers", "#2e9e62", "Buy regularly. Offer points or tiers; ask them for reviews and referrals."],
  ["Potential Loyalists", "#5cb87a", "Recent, with a few orders. Recommend complements; invite them to the loyalty scheme."],
  ["New Customers", "#8fd0a0", "First order was recent. Welcome them; contact again about two weeks after the purchase."],
  ["Promising", "#b9dfa0", "Recent but spend little. Show what else you sell; a small incentive for a second order."],
  ["Need Attention", "#f2c94c", "Above average, but slipping. A personal recommendation email; a time-limited offer."],
  ["About To Sleep", "#f0a94a", "Below average and fading. A gentle reminder with popular products."],
  ["At Risk", "#e5793b", "Used to buy often and spend well, not lately. Win them back now: personal email, a worthwhile offer."],
  ["Can't Lose Them", "#d2473d", "Your big spenders who stopped. Call or write personally; find out why."],
  ["Hibernating", "#a56a60", "Bought little, long ago. Low-cost reminders only; do not spend much."],
  ["Lost", "#8a8f99", "Long gone. Include in broad campaigns at most; ask why they left."],
];
export const segmentColor = (name) => SEGMENTS.find((s) => s[0] === name)?.[1] ?? "#9aa5b5";
export const segmentOrder = (name) => {
  const i = SEGMENTS.findIndex((s) => s[0] === name);
  return i < 0 ? SEGMENTS.length : i;
};
