import numpy as np
from proto import *
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import cross_val_predict
g = load(); cal_end = day("1997-09-30"); h = 273
s = summary(g, cal_end); y = label(g, s, cal_end, h)
for kind in ("bg","pareto"):
    f = fit_btyd(kind, s); p0, pa, q = btyd_p0(kind, f, s, h/7)
    X = features(s, p0, pa, q)
    p = cross_val_predict(LogisticRegression(max_iter=3000), (X-X.mean(0))/X.std(0), y, cv=5, method="predict_proba")[:,1]
    report(f"CEILING {kind} logistic on true labels (5-fold)", p, y)
    p = cross_val_predict(HistGradientBoostingClassifier(), X, y, cv=5, method="predict_proba")[:,1]
    report(f"CEILING {kind} GBM on true labels (5-fold)", p, y)
