// Installs the JS-side methods (npm/extend-classes.js) on the full build's classes.
import * as glue from "./regulars.js";
import { extend } from "./extend-classes.js";

extend(glue);
