# workerd config for the regulars edge-worker example.
#   npm install                     # regulars (and workerd) into this folder's node_modules
#   node build-models.mjs           # fit and save the models into models/
#   npx workerd serve config.capnp  # then: curl http://127.0.0.1:8787/customer/12348
#   node learn.mjs --outcomes outcomes.json   # learn from the log, publish to /admin/policy
# Paths are relative to this file. The package is embedded from node_modules/regulars, as
# installed. The worker only loads saved models and answers, so it uses the serving build: the
# module named "regulars/serve" is the package's "workerd" export of `regulars/serve`
# (serve-workerd.js), and its relative imports ("./regulars_serve.js", "./serve-extend.js",
# "./extend-classes.js", "./regulars_serve_bg.wasm") resolve beside it, under "regulars/", so they
# are listed under those names (a file the package adds later must be listed here too).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .edgeWorker),
    # The decision log the worker appends to (env.LOG): a stand-in for a queue, in memory.
    (name = "log", worker = .logWorker),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const edgeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "answer.js", esModule = embed "answer.js"),
    (name = "regulars/serve", esModule = embed "node_modules/regulars/serve-workerd.js"),
    (name = "regulars/regulars_serve.js", esModule = embed "node_modules/regulars/regulars_serve.js"),
    (name = "regulars/serve-extend.js", esModule = embed "node_modules/regulars/serve-extend.js"),
    (name = "regulars/extend-classes.js", esModule = embed "node_modules/regulars/extend-classes.js"),
    (name = "regulars/regulars_serve_bg.wasm", wasm = embed "node_modules/regulars/regulars_serve_bg.wasm"),
    (name = "models/churn.bin", data = embed "models/churn.bin"),
    (name = "models/recommender.bin", data = embed "models/recommender.bin"),
    (name = "models/ranker.bin", data = embed "models/ranker.bin"),
    (name = "models/customers.json", json = embed "models/customers.json"),
  ],
  compatibilityDate = "2025-09-01",
  bindings = [
    (name = "LOG", service = "log"),
    # Part of every event id (with a nonce per policy load): give each worker of a fleet its own.
    (name = "INSTANCE", text = "edge1"),
    # Guards POST /admin/policy and GET /admin/log; change it (a secret in production).
    (name = "ADMIN_TOKEN", text = "dev-admin-token"),
  ],
);

const logWorker :Workerd.Worker = (
  modules = [ (name = "log.js", esModule = embed "log.js") ],
  compatibilityDate = "2025-09-01",
);
