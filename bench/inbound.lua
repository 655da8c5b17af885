-- inbound.lua - wrk script: POST /webhook/generic with a realistic mix of
-- worker texts, a distinct message id per request and 5,000 senders.
-- Optional arguments (wrk ... -s bench/inbound.lua URL -- PREFIX SENDERS):
-- a prefix for ids and senders, so that several wrk processes at once
-- (bench/inbound-pg, one per node) send distinct ids and senders of their
-- own, and the number of senders (default 5,000).
local texts = {
  "积分", "学习", "帮助", "报名 2", "培训", "我的", "签到 K7Q2", "进度 SP0042",
  "法律咨询 老板拖欠工资两个月怎么办", "今天天气怎么样", "0", "2", "更多", "ＪＦ",
  "课 3", "答C", "退订", "订阅", "随手拍 井盖坏了", "我的报名",
}
local counter = 0
local prefix, senders = "b", 5000
tid = 0 -- global: thread:set("tid") below reaches only globals of each thread
local threads = {}

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  if args[1] then prefix = args[1] end
  if args[2] then senders = tonumber(args[2]) end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local id = string.format("%s%d-%d-%d", prefix, tid, os.time(), counter)
  local from = string.format("u-%s%d", prefix == "b" and "" or prefix, (counter * 7919 + tid) % senders)
  local text = texts[(counter % #texts) + 1]
  local body = string.format('{"id":"%s","from":"%s","text":"%s"}', id, from, text)
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status .. " " .. body)
  end
end
