// Installs the JS-side methods (npm/extend-classes.js) on the serving build's classes.
import * as glue from "./regulars_serve.js";
import { extend } from "./extend-classes.js";

extend(glue);
