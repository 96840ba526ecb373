# Русские тексты экрана /notifications сервиса уведомлений. Ключи те же, что в en.ftl.

command-notifications = выбрать, какие сообщения присылает бот

notifications-title = 🔔 Уведомления этого бота. Нажмите на вид, чтобы включить или выключить его.
notifications-always = Чеки об оплате приходят всегда.
notifications-on = 🔔 { $category }: вкл.
notifications-off = 🔕 { $category }: выкл.
notifications-muted = { $category }: выключено
notifications-unmuted = { $category }: включено

category-welcome = Приветствие
category-achievements = Уровни и значки
category-subscription = Новости подписки
category-payments = Чеки об оплате

# Оповещения админов (в чат или тему админов бота), на языке бота по умолчанию.
alert-payment-completed = 💰 Новый платёж: { $amount } { $currency } от { $member } (тариф { $plan }).
alert-payment-refunded = ↩️ Возврат: { $amount } { $currency } для { $member } (тариф { $plan }), выполнил { $refunded_by }. Причина: { $reason }
alert-campaign-member = 👋 Новый участник { $member } пришёл из кампании «{ $campaign }».
