import numpy as np, pandas as pd
from proto import *
from sklearn.model_selection import cross_val_predict
g = load(); cal_end = day("1997-09-30"); h = 273
s = summary(g, cal_end); y = label(g, s, cal_end, h)
cal = g[g.day <= cal_end]
def recent(k): 
    r = cal[cal.day > cal_end - k].groupby("c").size(); return r.reindex(s.index).fillna(0).values
def recent_spend(k):
    r = cal[cal.day > cal_end - k].groupby("c").v.sum(); return r.reindex(s.index).fillna(0).values
qty = cal.groupby("c").n.sum().reindex(s.index).values
f = fit_btyd("pareto", s); p0, pa, q = btyd_p0("pareto", f, s, h/7)
X0 = features(s, p0, pa, q)
def cv(X, name):
    X = (X - X.mean(0))/ (X.std(0)+1e-9)
    p = cross_val_predict(LogisticRegression(max_iter=3000), X, y, cv=5, method="predict_proba")[:,1]
    report(name, p, y)
cv(X0, "base")
cv(np.column_stack([X0, np.log1p(recent(91)), np.log1p(recent(182))]), "+recent counts")
cv(np.column_stack([X0, np.log1p(recent_spend(91)), np.log1p(recent_spend(182))]), "+recent spend")
cv(np.column_stack([X0, np.log1p(qty)]), "+qty")
cv(np.column_stack([X0, np.log1p(s.monetary.values)]), "+monetary")
cv(np.column_stack([X0, X0**2]), "+squares")
cv(np.column_stack([X0, np.log1p(recent(91)), np.log1p(recent(182)), X0**2, np.log1p(s.monetary.values)]), "+all")
cv(X0[:, :1], "only logit p0")
cv(X0[:, [0,6]], "logit p0 + log spend")
