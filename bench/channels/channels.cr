# Crystal twins of the channel benchmarks (bench/channels/run.mjs): channels <pingpong|buffered|select|idle>,
# N from the environment (single-threaded, Crystal's default).
def count(default)
  (ENV["N"]? || default.to_s).to_i64
end

def pingpong(n)
  ping = Channel(Int64).new
  pong = Channel(Int64).new
  spawn do
    n.times do
      v = ping.receive
      pong.send(v + 1)
    end
  end
  v = 0_i64
  n.times do
    ping.send(v)
    v = pong.receive
  end
  puts v
end

def buffered(n)
  ch = Channel(Int64).new(128)
  spawn do
    i = 0_i64
    while i < n
      ch.send(i)
      i += 1
    end
    ch.close
  end
  total = 0_i64
  while v = ch.receive?
    total += v
  end
  puts total
end

def selects(n)
  a = Channel(Int64).new(1)
  b = Channel(Int64).new(1)
  wa = 0_i64
  wb = 0_i64
  i = 0_i64
  while i < n
    a.send(i) if a.@queue.not_nil!.empty?
    b.send(i) if b.@queue.not_nil!.empty?
    select
    when a.receive
      wa += 1
    when b.receive
      wb += 1
    end
    i += 1
  end
  puts wa + wb
end

def idle(n)
  chans = [] of Channel(Int64)
  n.times { chans << Channel(Int64).new }
  puts chans.size
end

case ARGV[0]
when "pingpong" then pingpong(count(1_000_000))
when "buffered" then buffered(count(10_000_000))
when "select"   then selects(count(1_000_000))
when "idle"     then idle(count(1_000_000))
end
