#!/usr/bin/env ruby
# frozen_string_literal: true

# Shows that the failure follows the spawning THREAD: a "spawner" thread
# resolves, runs N children with system("true") and resolves again; then a
# fresh thread and the main thread resolve. With the vfork-guard leak only
# the spawner's "after" lookup should fail. The spawner stays parked while
# "fresh" runs so that "fresh" gets its own native thread (Ruby 3.1 reuses
# a finished thread's pthread); --join-first joins it before, to show that.

require "optparse"
require_relative "lib/regress_report"

RegressReport.workload = "spawn_threads"

opts = { children: 20, host: "db.default.svc.cluster.local", join_first: false }
begin
  OptionParser.new do |o|
    o.banner = "usage: spawn_threads.rb [options]"
    o.on("--children N", Integer, "children to spawn (default 20)") { |v| opts[:children] = v }
    o.on("--host H", "host to resolve (default #{opts[:host]})") { |v| opts[:host] = v }
    o.on("--join-first", "join the spawner before starting the fresh thread") { opts[:join_first] = true }
  end.parse!
  raise OptionParser::InvalidArgument, "--children must be >= 1" if opts[:children] < 1
rescue OptionParser::ParseError => e
  warn "spawn_threads: #{e.message}"
  exit 2
end

TRUE_BIN = RegressReport.which("true")

# Each entry: [label such as "spawner lookup after", ok, error message].
results = []
results_lock = Mutex.new
check = lambda do |label, ok|
  error = RegressReport.take_error
  results_lock.synchronize { results << [label, ok, ok ? nil : error] }
end

spawner_done = Queue.new
release_spawner = Queue.new
spawner_tid = nil
spawner = Thread.new do
  Thread.current.name = "spawner"
  spawner_tid = Thread.current.native_thread_id
  check.call("spawner lookup before", RegressReport.lookup(opts[:host], phase: "before"))
  spawned = RegressReport.spawn_children("system", opts[:children], TRUE_BIN) { system(TRUE_BIN) == true }
  check.call("spawner spawning", spawned)
  check.call("spawner lookup after", RegressReport.lookup(opts[:host], phase: "after"))
ensure
  spawner_done << true
  release_spawner.pop
end

release_spawner << true if opts[:join_first]
spawner_done.pop
spawner.join if opts[:join_first]

Thread.new do
  Thread.current.name = "fresh"
  check.call("fresh lookup after", RegressReport.lookup(opts[:host], phase: "after", spawner_tid: spawner_tid,
                                                                     spawner_joined: opts[:join_first]))
end.join

release_spawner << true
spawner.join

check.call("main lookup after", RegressReport.lookup(opts[:host], phase: "after"))

lookups = results.select { |label, _| label.include?("lookup") }
puts "spawn_threads: children=#{opts[:children]} " +
     lookups.map { |label, ok| "#{label.sub(' lookup ', '/')}=#{ok ? 'ok' : 'failed'}" }.join(" ")
$stdout.flush

failures = results.reject { |_, ok| ok }
unless failures.empty?
  # One line, grouped by message: "spawner lookup after, main lookup after failed: <message>".
  detail = failures.group_by { |_, _, msg| msg || "unknown error" }
                   .map { |msg, fs| "#{fs.map(&:first).join(', ')} failed: #{msg}" }
  abort "spawn_threads: #{detail.join('; ')}"
end
