# Serverspec configuration for bench/run.sh: the :exec backend by default, :ssh when the
# benchmark's SSH section sets BENCH_SSH_HOST (with its own port, key and known_hosts, never the
# user's ~/.ssh).
require 'serverspec'

if ENV['BENCH_SSH_HOST']
  require 'net/ssh'
  set :backend, :ssh
  set :host, ENV.fetch('BENCH_SSH_HOST')
  set :ssh_options,
      user: ENV.fetch('BENCH_SSH_USER'),
      port: Integer(ENV.fetch('BENCH_SSH_PORT')),
      keys: [ENV.fetch('BENCH_SSH_KEY')],
      keys_only: true,
      user_known_hosts_file: ENV.fetch('BENCH_SSH_KNOWN_HOSTS'),
      global_known_hosts_file: File::NULL,
      verify_host_key: :always,
      config: false,
      non_interactive: true
else
  set :backend, :exec
end
