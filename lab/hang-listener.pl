#!/usr/bin/perl
# Stands in for a hung sshd: accepts TCP connections on port 22 and never sends a byte, so an
# SSH client waits for a banner that never comes. Uses only perl-base (Essential on Debian).
# Usage: hang-listener.pl PIDFILE LIFETIME_SECONDS ADDRESS...
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

my ($pidfile, $lifetime, @addresses) = @ARGV;
die "usage: $0 PIDFILE LIFETIME_SECONDS ADDRESS...\n" unless defined $lifetime && @addresses;

my $listeners = IO::Select->new;
for my $address (@addresses) {
  my $socket = IO::Socket::IP->new(
    LocalHost => $address,
    LocalPort => 22,
    Listen    => 128,
    ReuseAddr => 1,
  ) or die "cannot listen on [$address]:22: $@\n";
  $listeners->add($socket);
}

open(my $fh, '>', $pidfile) or die "cannot write $pidfile: $!\n";
print $fh "$$\n";
close $fh;

# Held connections are capped so a runaway client cannot exhaust memory; the oldest is dropped.
my @held;
my $deadline = time + $lifetime;
$SIG{TERM} = sub { exit 0 };
while (time < $deadline) {
  for my $socket ($listeners->can_read(1)) {
    my $client = $socket->accept or next;
    push @held, $client;
    shift(@held)->close if @held > 1000;
  }
}
