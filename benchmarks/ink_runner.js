// The inkjs side of benchmarks/ink_compare.py: the same measurements, made the same way.
//
//   node ink_runner.js compile SOURCE.ink OUT.json   compile, load, show the first scene, write the JSON
//   node ink_runner.js load STORY.json               load the compiled JSON and show the first scene
//   node ink_runner.js play STORY.json MOVES DIR     play MOVES choices, then time saves and loads;
//                                                    prints one JSON object of figures
//   node ink_runner.js full STORY.json MOVES SAVES   load, play MOVES choices, save and load SAVES times
//
// The path is the one ink_compare.py plays: at move k, choice k modulo the number offered.
// INKJS names the folder that holds node_modules/inkjs.
"use strict";

const fs = require("fs");
const path = require("path");
const crypto = require("crypto");

const FILE_ROUNDS = 100; // durable writes, each an fsync or two: many, so that the median is steady
const INKJS = path.join(process.env.INKJS || ".", "node_modules", "inkjs");
const { Story } = require(path.join(INKJS, "dist", "ink-full.js"));

function show(story) {
  const text = story.ContinueMaximally();
  return text + story.currentChoices.map((c, n) => `${n + 1}. ${c.text}\n`).join("");
}

function compileSource(file) {
  const { Compiler } = require(path.join(INKJS, "dist", "ink-full.js"));
  return new Compiler(fs.readFileSync(file, "utf8")).Compile();
}

function durableWrite(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = fs.openSync(temporary, "w");
  fs.writeSync(handle, text);
  fs.fsyncSync(handle);
  fs.closeSync(handle);
  fs.renameSync(temporary, file);
  const folder = fs.openSync(path.dirname(file), "r");
  fs.fsyncSync(folder);
  fs.closeSync(folder);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function play(story, moves, hash, times) {
  let text = story.ContinueMaximally();
  hash.update(text + story.currentChoices.map((c) => c.text + "\n").join(""));
  for (let k = 0; k < moves; k++) {
    const began = process.hrtime.bigint();
    story.ChooseChoiceIndex(k % story.currentChoices.length);
    text = story.ContinueMaximally();
    const choices = story.currentChoices;
    if (times) times.push(Number(process.hrtime.bigint() - began) / 1000);
    hash.update(text + choices.map((c) => c.text + "\n").join(""));
  }
}

function main(argv) {
  const [mode, file] = argv;
  if (mode === "compile") {
    const story = compileSource(file);
    process.stdout.write(show(story));
    fs.writeFileSync(argv[2], story.ToJson());
    return;
  }
  const story = new Story(fs.readFileSync(file, "utf8"));
  if (mode === "load") {
    process.stdout.write(show(story));
    return;
  }
  const moves = Number(argv[2]);
  const hash = crypto.createHash("sha256");
  if (mode === "full") {
    const saves = Number(argv[3]);
    const every = Math.max(1, Math.floor(moves / Math.max(1, saves)));
    let text = story.ContinueMaximally();
    let saved = 0;
    for (let k = 0; k < moves; k++) {
      story.ChooseChoiceIndex(k % story.currentChoices.length);
      text += story.ContinueMaximally();
      if ((k + 1) % every === 0 && saved < saves) {
        story.state.LoadJson(story.state.ToJson());
        saved += 1;
      }
    }
    process.stdout.write(`${text.length}\n`);
    return;
  }
  const times = [];
  play(story, moves, hash, times);
  const rounds = 200;
  const saves = [];
  const loads = [];
  let json = "";
  for (let i = 0; i < rounds; i++) {
    let began = process.hrtime.bigint();
    json = story.state.ToJson();
    saves.push(Number(process.hrtime.bigint() - began) / 1000);
    began = process.hrtime.bigint();
    story.state.LoadJson(json);
    loads.push(Number(process.hrtime.bigint() - began) / 1000);
  }
  const file_ = path.join(argv[3], "ink-save.json");
  const fileSaves = [];
  const fileLoads = [];
  for (let i = 0; i < FILE_ROUNDS; i++) {
    let began = process.hrtime.bigint();
    durableWrite(file_, story.state.ToJson());
    fileSaves.push(Number(process.hrtime.bigint() - began) / 1000);
    began = process.hrtime.bigint();
    story.state.LoadJson(fs.readFileSync(file_, "utf8"));
    fileLoads.push(Number(process.hrtime.bigint() - began) / 1000);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const result = {
    sha256: hash.digest("hex"),
    choice_mean_us: times.reduce((a, b) => a + b, 0) / times.length,
    choice_median_us: median(times),
    choice_p99_us: sorted[Math.floor(sorted.length * 0.99)],
    save_us: median(saves),
    load_us: median(loads),
    save_bytes: Buffer.byteLength(json),
    file_save_us: median(fileSaves),
    file_load_us: median(fileLoads),
  };
  process.stdout.write(JSON.stringify(result) + "\n");
}

main(process.argv.slice(2));
