#!/usr/bin/env ruby
# frozen_string_literal: true

# The upstream "DNS hooked only in some runs": a pool of long-lived threads; one, chosen at random,
# spawns children; then one, chosen at random, resolves. A guard stuck on the spawning thread is
# only met when both picks coincide, so a leaking build fails about 1 run in --threads.

require "optparse"
require_relative "lib/regress_report"

RegressReport.workload = "spawn_random_thread"
opts = { threads: 2, children: 5, host: "db.default.svc.cluster.local" }
begin
  OptionParser.new do |o|
    o.on("--threads N", Integer, "pool size (default 2)") { |v| opts[:threads] = v }
    o.on("--children N", Integer, "children to spawn (default 5)") { |v| opts[:children] = v }
    o.on("--host H", "host to resolve") { |v| opts[:host] = v }
  end.parse!
  raise OptionParser::InvalidArgument, "--threads must be >= 1" if opts[:threads] < 1
rescue OptionParser::ParseError => e
  warn "spawn_random_thread: #{e.message}"
  exit 2
end

# The harness sets a per-attempt seed when asked (MIRRORD_REGRESS_SEED), so tests repeat exactly.
srand(Integer(ENV["MIRRORD_REGRESS_SEED"], 10)) if ENV["MIRRORD_REGRESS_SEED"]
true_bin = RegressReport.which("true")
# Each pool thread runs the jobs it is handed, so every job of a thread runs on the same native thread.
pool = Array.new(opts[:threads]) do |i|
  inbox = Queue.new
  thread = Thread.new do
    Thread.current.name = "pool-#{i}"
    while (job = inbox.pop)
      job.call
    end
  end
  [inbox, thread]
end
run_on = lambda do |i, &job|
  done = Queue.new
  pool[i][0] << -> { done << job.call }
  done.pop
end

spawner = rand(opts[:threads])
resolver = rand(opts[:threads])
run_on.call(spawner) { RegressReport.spawn_children("system", opts[:children], true_bin) { system(true_bin) == true } }
ok = run_on.call(resolver) { RegressReport.lookup(opts[:host], phase: "after", spawner: spawner, resolver: resolver) }
pool.each { |inbox, _| inbox << nil }
pool.each { |_, thread| thread.join }

puts "spawn_random_thread: spawner=pool-#{spawner} resolver=pool-#{resolver} lookup=#{ok ? 'ok' : 'failed'}"
abort "spawn_random_thread: lookup on pool-#{resolver} after pool-#{spawner} spawned failed: #{RegressReport.last_error}" unless ok
