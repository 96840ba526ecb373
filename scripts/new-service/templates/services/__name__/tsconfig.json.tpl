{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "references": [{ "path": "../../libs/bot-kit" }, { "path": "../../libs/contracts" }, { "path": "../../libs/event-store" }, { "path": "../../libs/bus" }, { "path": "../../libs/service-kit" }, { "path": "../../libs/testing" }]
}
