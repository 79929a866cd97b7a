# frozen_string_literal: true

# Downloads a mirrord release asset and installs it only if its sha256 matches the pin.
# Usage: ruby fetch-verified.rb VERSIONS_JSON VERSION ASSET RELEASE_BASE_URL DEST
# Every failure is one line starting with "error: " (the harness lifts it out of the build log).

require "digest"
require "fileutils"
require "json"
require "net/http"
require "openssl"
require "uri"

MAX_REDIRECTS = 10

def fail!(message)
  $stderr.puts("error: #{message.gsub(/\s+/, ' ')}")
  exit 1
end

# The pin comes from the pins file, so an unpinned version never downloads anything.
# Schema 2 keeps a version's asset pins under "assets"; schema 1 had them directly under the version.
def pinned_sha256(versions_file, version, asset)
  pins = JSON.parse(File.read(versions_file))
  pin = pins["schema"] == 1 ? pins.dig("versions", version, asset) : pins.dig("versions", version, "assets", asset)
  unless pin.is_a?(String)
    fail!("no sha256 pinned for mirrord #{version} asset #{asset} in images/mirrord-versions.json: " \
          "run `mirrord-regress images pin #{version}` where the network exists")
  end
  fail!("malformed sha256 pin for mirrord #{version} asset #{asset}: #{pin.inspect}") unless pin.match?(/\A\h{64}\z/)
  pin.downcase
end

# Streams the body into `part`, following redirects (GitHub serves assets from another host); returns the sha256.
def download(url, part)
  uri = URI(url)
  MAX_REDIRECTS.times do
    Net::HTTP.start(uri.host, uri.port, use_ssl: uri.scheme == "https", open_timeout: 20, read_timeout: 120) do |http|
      http.request(Net::HTTP::Get.new(uri)) do |response|
        case response
        when Net::HTTPRedirection
          uri = URI.join(uri.to_s, response["location"])
        when Net::HTTPSuccess
          digest = Digest::SHA256.new
          File.open(part, "wb") do |out|
            response.read_body do |chunk|
              digest.update(chunk)
              out.write(chunk)
            end
          end
          return digest.hexdigest
        else
          fail!("download of #{url} failed: HTTP #{response.code} #{response.message}")
        end
      end
    end
  end
  fail!("download of #{url} failed: more than #{MAX_REDIRECTS} redirects")
rescue SocketError, SystemCallError, IOError, Timeout::Error, OpenSSL::SSL::SSLError, URI::Error => e
  fail!("cannot download #{url}: #{e.class}: #{e.message}")
end

versions_file, version, asset, base_url, dest = ARGV
fail!("usage: fetch-verified.rb VERSIONS_JSON VERSION ASSET RELEASE_BASE_URL DEST") unless dest
fail!("the MIRRORD_VERSION build arg is required (e.g. --build-arg MIRRORD_VERSION=3.112.0)") if version.empty?

expected = pinned_sha256(versions_file, version, asset)
url = "#{base_url.chomp('/')}/#{version}/#{asset}"
part = "#{dest}.part"
actual = download(url, part)
if actual != expected
  FileUtils.rm_f(part)
  fail!("sha256 mismatch for mirrord #{version} asset #{asset} from #{url}: expected #{expected}, actual #{actual}")
end
File.chmod(0o755, part)
File.rename(part, dest)
puts("mirrord #{version} #{asset} sha256:#{actual} verified, installed as #{dest}")
