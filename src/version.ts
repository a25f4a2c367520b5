// Kept equal to package.json's version by a test; results carry it so a cell can be rerun exactly.
export const VERSION = "0.1.0";
