# Smallest workerd check of the package: import "regulars" (its workerd export) and use it.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .smoke) ],
  sockets = [ (name = "http", address = "127.0.0.1:8788", http = (), service = "main") ],
);

const smoke :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "regulars", esModule = embed "node_modules/regulars/workerd.js"),
    (name = "regulars.js", esModule = embed "node_modules/regulars/regulars.js"),
    (name = "extend.js", esModule = embed "node_modules/regulars/extend.js"),
    (name = "extend-classes.js", esModule = embed "node_modules/regulars/extend-classes.js"),
    (name = "regulars_bg.wasm", wasm = embed "node_modules/regulars/regulars_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
