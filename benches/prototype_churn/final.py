"""The chosen design: w = min(h, span/2) internal split, logistic layer, structural horizon conversion,
then a Platt map of the supervised score fitted to the structural probabilities (keeps the ranking)."""
import numpy as np
from proto import *
def platt_soft(z, target, iters=50):
    a, b = 0.0, 1.0
    for _ in range(iters):
        p = expit(a + b*z); g = np.array([(p-target).sum(), ((p-target)*z).sum()])
        wgt = p*(1-p); H = np.array([[wgt.sum(), (wgt*z).sum()],[(wgt*z).sum(), (wgt*z*z).sum()]])
        a, b = np.array([a,b]) - np.linalg.solve(H, g)
    return a, b
g = load(); cal_end = day("1997-09-30"); h = 273
s = summary(g, cal_end); y = label(g, s, cal_end, h)
span = cal_end - g[g.day <= cal_end].day.min()
for kind in ("bg", "pareto"):
  f = fit_btyd(kind, s)
  for w in (span//2, 120, 91):
    split = cal_end - w
    s_in = summary(g, split); y_in = label(g, s_in, split, w)
    f_in = fit_btyd(kind, s_in); p0, pa, q = btyd_p0(kind, f_in, s_in, w/7)
    X = features(s_in, p0, pa, q); mu, sd = X.mean(0), X.std(0)+1e-9
    lr = LogisticRegression(C=1.0, max_iter=3000).fit((X-mu)/sd, y_in)
    p0_w, pa_f, q_w = btyd_p0(kind, f, s, w/7); p0_h, _, q_h = btyd_p0(kind, f, s, h/7)
    p_w = lr.predict_proba((features(s, p0_w, pa_f, q_w)-mu)/sd)[:,1]
    st = 1 - np.clip((1-p_w)/np.maximum(1-q_w,1e-9),0,1)*(1-q_h)
    report(f"{kind} w={w} structural", st, y)
    z = logit(np.clip(p_w,1e-9,1-1e-9)); a, b = platt_soft(z, st)
    report(f"{kind} w={w} platt(p_w) -> structural", expit(a+b*z), y)
    za = logit(np.clip(p0_h,1e-9,1-1e-9)); a, b = platt_soft(z, p0_h)
    report(f"{kind} w={w} platt(p_w) -> btyd P0(h)", expit(a+b*z), y)
