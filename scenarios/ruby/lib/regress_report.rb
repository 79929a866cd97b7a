# frozen_string_literal: true

# Shared reporting for the Ruby regression workloads: every step appends one
# JSON line to $MIRRORD_REGRESS_REPORT (nothing is written when it is unset).
# Lines are written whole under a Mutex, so several Ruby threads may report.

require "json"
require "socket"
require "net/http"
require "uri"

module RegressReport
  MUTEX = Mutex.new

  class << self
    attr_writer :workload

    # Name written as "workload"; defaults to the script's basename.
    def workload
      @workload ||= File.basename($PROGRAM_NAME, ".rb")
    end

    # Appends one JSON line for +step+ with the common fields plus +fields+
    # (which may not reuse a common key such as "pid").
    def emit(step, ok:, **fields)
      path = ENV["MIRRORD_REGRESS_REPORT"]
      return if path.nil? || path.empty?

      thread = Thread.current
      line = {
        "workload" => workload,
        "step" => step.to_s,
        "ok" => ok ? true : false,
        "pid" => Process.pid,
        "tid" => thread.native_thread_id,
        "thread" => thread.name || "main",
        "ruby" => RUBY_VERSION,
        "t_ns" => Process.clock_gettime(Process::CLOCK_REALTIME, :nanosecond)
      }
      fields.each do |k, v|
        raise ArgumentError, "report field #{k} is reserved" if line.key?(k.to_s)

        line[k.to_s] = v
      end
      text = JSON.generate(line) + "\n"
      MUTEX.synchronize { File.open(path, "a") { |f| f.write(text) } }
      nil
    end

    # Error fields for an exception; also kept as this thread's last_error.
    def error_fields(e)
      Thread.current[:regress_last_error] = "#{e.message} (#{e.class.name})"
      { error: e.class.name, message: e.message }
    end

    # "message (ErrorClass)" of the last failure reported on this thread, or nil.
    def last_error
      Thread.current[:regress_last_error]
    end

    # Like last_error, but also forgets it (so the next step starts clean).
    def take_error
      last_error.tap { Thread.current[:regress_last_error] = nil }
    end

    # Absolute path of +name+ found by a PATH search, or nil.
    def which(name)
      ENV.fetch("PATH", "").split(File::PATH_SEPARATOR)
         .map { |dir| File.join(dir, name) }
         .find { |path| File.file?(path) && File.executable?(path) }
    end

    # Calls the block +count+ times; each call spawns one child running
    # +program+, waits for it and returns whether it exited 0. Reports step
    # "spawn" (ok iff every child exited 0) and returns that ok.
    def spawn_children(method, count, program)
      raise Errno::ENOENT, "spawn program not found in PATH" unless program

      failed = 0
      first_error = nil
      count.times do
        failed += 1 unless yield
      rescue StandardError => e
        failed += 1
        first_error ||= e
      end
      fields = { method: method, children: count, failed: failed }
      fields.merge!(error_fields(first_error)) if first_error
      Thread.current[:regress_last_error] ||= "#{failed} of #{count} children failed" unless failed.zero?
      emit("spawn", ok: failed.zero?, **fields)
      failed.zero?
    rescue StandardError => e
      emit("spawn", ok: false, method: method, children: count, **error_fields(e))
      false
    end

    # Resolves +host+ (port 80, TCP) and reports step "lookup"; true on success.
    def lookup(host, **extra)
      begin
        addrs = Addrinfo.getaddrinfo(host, 80, nil, :STREAM).map(&:ip_address).uniq
      rescue StandardError => e
        emit("lookup", ok: false, host: host, **extra, **error_fields(e))
        return false
      end
      emit("lookup", ok: true, host: host, addresses: addrs, **extra)
      true
    end

    # GETs +url+ and reports step "http"; true iff the status is 2xx.
    def http_get(url, **extra)
      begin
        uri = URI(url)
        # p_addr nil: connect to the host itself, never via a proxy from the env.
        res = Net::HTTP.start(uri.host, uri.port, nil, use_ssl: uri.scheme == "https",
                                                       open_timeout: 3, read_timeout: 3) do |http|
          http.request(Net::HTTP::Get.new(uri))
        end
      rescue StandardError => e
        emit("http", ok: false, url: url, **extra, **error_fields(e))
        return false
      end
      ok = res.is_a?(Net::HTTPSuccess)
      Thread.current[:regress_last_error] = "HTTP status #{res.code}" unless ok
      emit("http", ok: ok, url: url, status: res.code.to_i,
                   body_bytes: (res.body || "").bytesize, **extra)
      ok
    end
  end
end
