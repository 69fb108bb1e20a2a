// Every script runs under the Node 24 that `npm install` put in node_modules/.bin (the `node` package);
// this guard catches a script started some other way with the system's older Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`LLM Relay needs Node.js 24; this is ${process.version}. Run it through npm (npm start / npm test), which uses node_modules/.bin/node.`);
  process.exit(1);
}
