import numpy as np
from proto import *
g = load(); cal_end = day("1997-09-30"); h = 273
s = summary(g, cal_end); y = label(g, s, cal_end, h)
for kind in ("bg","pareto"):
  f = fit_btyd(kind, s)
  for w in (120, 136):
    split = cal_end - w
    s_in = summary(g, split); y_in = label(g, s_in, split, w)
    f_in = fit_btyd(kind, s_in); p0, pa, q = btyd_p0(kind, f_in, s_in, w/7)
    X = features(s_in, p0, pa, q); mu, sd = X.mean(0), X.std(0)+1e-9
    for C in (100.0, 1.0, 0.01):
        lr = LogisticRegression(C=C, max_iter=3000).fit((X-mu)/sd, y_in)
        p0_w, pa_f, q_w = btyd_p0(kind, f, s, w/7); p0_h, _, q_h = btyd_p0(kind, f, s, h/7)
        p_w = lr.predict_proba((features(s, p0_w, pa_f, q_w)-mu)/sd)[:,1]
        report(f"{kind} w={w} C={C} p_w itself", p_w, y)
        pa_adj = np.clip((1-p_w)/np.maximum(1-q_w,1e-9),0,1)
        report(f"{kind} w={w} C={C} structural", 1-pa_adj*(1-q_h), y)
        p_d = lr.predict_proba((features(s, p0_h, pa_f, q_h)-mu)/sd)[:,1]
        report(f"{kind} w={w} C={C} direct", p_d, y)
    print(dict(zip(["lp0","lpa","lx","tx/T","lgap","lT","lspend","lfirst","lover","x0"], np.round(lr.coef_[0],3))))
