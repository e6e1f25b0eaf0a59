# Smallest workerd check of the package: import "regulars" (its workerd export) and use it.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .smoke) ],
  sockets = [ (name = "http", address = "127.0.0.1:8788", http = (), service = "main") ],
);

const smoke :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "regulars", esModule = embed "../../../pkg/workerd.js"),
    (name = "regulars.js", esModule = embed "../../../pkg/regulars.js"),
    (name = "extend.js", esModule = embed "../../../pkg/extend.js"),
    (name = "regulars_bg.wasm", wasm = embed "../../../pkg/regulars_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
