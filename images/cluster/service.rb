# The cluster's HTTP service: what answers behind every ClusterIP (db, api, cache) on the cluster's node.
# Each request is one JSON line in the access log (peer address first: it names the agent pod that came
# through), written and flushed before the response, so a finished workload's requests are all on disk.
# Usage: ruby service.rb ACCESS_LOG [PORT]
require 'socket'
require 'json'

log_path = ARGV.fetch(0)
port = Integer(ARGV.fetch(1, '80'))
log = File.open(log_path, 'a')
log.sync = true
lock = Mutex.new
server = TCPServer.new('0.0.0.0', port)
$stdout.puts "service listening on 0.0.0.0:#{port}"
$stdout.flush

loop do
  conn = server.accept
  Thread.new(conn) do |c|
    begin
      peer = c.peeraddr(false)
      local = c.addr(false)
      head = +''
      head << c.readpartial(4096) until head.include?("\r\n\r\n") || head.bytesize > 16_384
      request = head.lines.first.to_s.strip
      host = head.lines.map { |l| l[/\Ahost:\s*(.*)\r?\n?\z/i, 1] }.compact.first.to_s.strip
      entry = { t_ms: (Time.now.to_f * 1000).round, peer: peer[3], peer_port: peer[1], local: "#{local[3]}:#{local[1]}", request: request, host: host }
      lock.synchronize { log.puts(JSON.generate(entry)) }
      body = "hello from the cluster service #{host}\n"
      c.write "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}"
    rescue EOFError, SystemCallError
      # A client that went away before its request was complete: nothing to log.
    ensure
      c.close
    end
  end
end
