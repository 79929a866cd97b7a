#!/usr/bin/env ruby
# frozen_string_literal: true

# Resolves a cluster host, spawns N children with one of Ruby's process APIs,
# then resolves (and fetches) again on the SAME thread. If the layer's vfork
# guard stays set on the spawning thread, the "after" lookup skips the layer
# and fails with "Temporary failure in name resolution".

require "optparse"
require "open3"
require_relative "lib/regress_report"

RegressReport.workload = "spawn_then_resolve"

# Absolute path of `true`, found once with a PATH search.
TRUE_BIN = RegressReport.which("true")

# Each method spawns one child running `true`, waits for it, and returns
# whether it exited 0.
METHODS = {
  "system" => -> { system(TRUE_BIN) == true },
  "backticks" => -> { `#{TRUE_BIN}`; $?.success? },
  "spawn" => -> { Process.wait(Process.spawn(TRUE_BIN)); $?.success? },
  "popen" => -> { IO.popen([TRUE_BIN], &:read); $?.success? },
  "open3" => -> { Open3.capture2(TRUE_BIN)[1].success? },
  "system_env" => -> { system({ "REGRESS_CHILD" => "1" }, TRUE_BIN) == true },
  "shell" => -> { system("#{TRUE_BIN}; #{TRUE_BIN}") == true },
  "fork_exec" => -> { Process.wait(fork { exec(TRUE_BIN) }); $?.success? }
}.freeze

opts = { children: 20, method: "system", host: "db.default.svc.cluster.local", url: nil, http: true }
begin
  OptionParser.new do |o|
    o.banner = "usage: spawn_then_resolve.rb [options]"
    o.on("--children N", Integer, "children to spawn (default 20)") { |v| opts[:children] = v }
    o.on("--method M", METHODS.keys, "one of: #{METHODS.keys.join(', ')} (default system)") { |v| opts[:method] = v }
    o.on("--host H", "host to resolve (default #{opts[:host]})") { |v| opts[:host] = v }
    o.on("--url U", "URL to GET (default http://HOST/)") { |v| opts[:url] = v }
    o.on("--no-http", "skip the HTTP step") { opts[:http] = false }
  end.parse!
  raise OptionParser::InvalidArgument, "--children must be >= 1" if opts[:children] < 1
rescue OptionParser::ParseError => e
  warn "spawn_then_resolve: #{e.message}"
  exit 2
end
opts[:url] ||= "http://#{opts[:host]}/"

# [description, ok, error message] for each step, in order.
results = []
record = lambda do |desc, ok|
  error = RegressReport.take_error
  results << [desc, ok, ok ? nil : error]
end

record.call("lookup before spawning", RegressReport.lookup(opts[:host], phase: "before"))
record.call("spawning #{opts[:children]} children with #{opts[:method]}",
            RegressReport.spawn_children(opts[:method], opts[:children], TRUE_BIN,
                                         &METHODS.fetch(opts[:method])))
record.call("lookup after spawning", RegressReport.lookup(opts[:host], phase: "after"))
record.call("http GET #{opts[:url]}", RegressReport.http_get(opts[:url])) if opts[:http]

lookups = results.select { |desc, _| desc.start_with?("lookup") }
http = if !opts[:http] then "skipped"
       elsif results.last[1] then "ok"
       else "failed"
       end
puts "spawn_then_resolve: method=#{opts[:method]} children=#{opts[:children]} " \
     "lookups ok=#{lookups.count { |_, ok| ok }}/#{lookups.size} http=#{http}"
$stdout.flush

failure = results.find { |_, ok| !ok }
abort "spawn_then_resolve: #{failure[0]} failed: #{failure[2] || 'unknown error'}" if failure
