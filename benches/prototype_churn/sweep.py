import numpy as np
from proto import *
g = load(); cal_end = day("1997-09-30"); h = 273
s = summary(g, cal_end); y = label(g, s, cal_end, h)
kinds = ("bg", "pareto")
full = {k: fit_btyd(k, s) for k in kinds}
def train(kind, w, splits):
    Xs, ys = [], []
    for split in splits:
        s_in = summary(g, split); y_in = label(g, s_in, split, w)
        f_in = fit_btyd(kind, s_in); p0, pa, q = btyd_p0(kind, f_in, s_in, w/7)
        Xs.append(features(s_in, p0, pa, q)); ys.append(y_in)
    X = np.vstack(Xs); yy = np.concatenate(ys)
    mu, sd = X.mean(0), X.std(0)+1e-9
    return LogisticRegression(C=100.0, max_iter=3000).fit((X-mu)/sd, yy), mu, sd
for kind in kinds:
    for w, splits in [(136,[cal_end-136]),(130,[cal_end-130]),(140,[cal_end-140])]:
        lr, mu, sd = train(kind, w, [sp for sp in splits])
        # for stacked splits the label window must end by cal_end: w from each split
        f = full[kind]
        p0_w, pa, q_w = btyd_p0(kind, f, s, w/7); _, _, q_h = btyd_p0(kind, f, s, h/7)
        p_w = lr.predict_proba((features(s, p0_w, pa, q_w)-mu)/sd)[:,1]
        pa_adj = np.clip((1-p_w)/np.maximum(1-q_w,1e-9),0,1)
        report(f"{kind} w={w} splits={len(splits)} structural", 1-pa_adj*(1-q_h), y)
