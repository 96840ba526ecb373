{
  "name": "@botplatform/__name__",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "exports": {
    ".": { "types": "./src/index.ts", "import": "./dist/index.js" }
  },
  "dependencies": {"@botplatform/bot-kit": "*", "@botplatform/contracts": "*", "@botplatform/event-store": "*", "@botplatform/bus": "*", "@botplatform/service-kit": "*", "@botplatform/testing": "*"}
}
